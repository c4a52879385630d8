Console.Error.WriteLine("gpu bench: not wired yet"); return 2;
