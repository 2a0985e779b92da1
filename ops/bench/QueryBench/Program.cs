using Ngrtc.Audit.Bench;

// The query benchmark's driver: `load` fills a database with simulated events and the register rows they
// produce; `measure` times the queries of a file against a running service. Each prints `BENCH {json}` lines.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        QueryBench load --connection CS --events N [--tenants K] [--subscribers S] [--days D] [--seed X] [--key BASE64]
        QueryBench measure --connection CS --url URL --queries FILE [--iterations I] [--warmup W]
        """);
    return 0;
}

var options = new Options(args[1..]);
try
{
    switch (args[0])
    {
        case "load":
            await Loader.LoadAsync(options);
            break;
        case "measure":
            await Timing.MeasureAsync(options);
            break;
        default:
            Console.Error.WriteLine($"unknown command {args[0]}");
            return 2;
    }
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"QueryBench: {e.Message}");
    return 2;
}

return 0;
