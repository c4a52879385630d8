Console.Error.WriteLine("crash child: not wired yet"); return 2;
