namespace VectorDb.Harness;

/// <summary>One harness subcommand.</summary>
internal interface ICommand
{
    string Name { get; }

    string Summary { get; }

    /// <summary>Full option list, printed by '--help' and on a usage error.</summary>
    string Usage { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    int Run(Args options);
}
