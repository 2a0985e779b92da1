using JasperFx.CommandLine;

namespace Ngrtc.Audit.Service.Simulation;

public sealed class SimulateInput
{
    [Description("Events per second in all (0: as fast as the transport takes them)")]
    public int RateFlag { get; set; } = 100;

    [Description("How long to send, in seconds (default 10, unless --events is given)")]
    public int? DurationFlag { get; set; }

    [Description("How many events to send in all (instead of --duration)")]
    public long? EventsFlag { get; set; }

    [Description("pg (the PostgreSQL queue), rabbitmq or http")]
    public string TransportFlag { get; set; } = "pg";

    [Description("Events per message: 1 sends application/cloudevents+json, more sends batches")]
    public int BatchFlag { get; set; } = 1;

    [Description("Concurrent publishers")]
    public int PublishersFlag { get; set; } = 4;

    [Description("Tenants (operators) the traffic is spread over")]
    public int TenantsFlag { get; set; } = 1;

    [Description("Seed: the same seed gives the same traffic")]
    public int SeedFlag { get; set; } = 1;

    [Description("The service's base URL for --transport http")]
    public string UrlFlag { get; set; } = "http://127.0.0.1:5080";
}

[Description("Publish simulated NG-RTC audit traffic to the service over a transport", Name = "simulate")]
public sealed class SimulateCommand : JasperFxAsyncCommand<SimulateInput>
{
    public override async Task<bool> Execute(SimulateInput input)
    {
        // The service's settings, the environment's too (Development holds the key HTTP emitters' tokens are minted with).
        var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Production";
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var targets = SimulationTargets.From(configuration, new Uri(input.UrlFlag));
        var plan = new SimulationPlan(
            input.RateFlag,
            input.EventsFlag is null ? TimeSpan.FromSeconds(input.DurationFlag ?? 10) : input.DurationFlag is { } s ? TimeSpan.FromSeconds(s) : null,
            input.EventsFlag,
            Math.Max(1, input.BatchFlag),
            Math.Max(1, input.PublishersFlag),
            Math.Max(1, input.TenantsFlag),
            input.SeedFlag);

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        await using var publisher = await AuditPublishers.CreateAsync(input.TransportFlag, targets, cancel.Token);
        var result = await SimulationRun.RunAsync(plan, publisher, TimeProvider.System, cancel.Token);
        Console.WriteLine($"simulate: {result.Events} events in {result.Messages} messages over {input.TransportFlag} in {result.Elapsed.TotalSeconds:F1} s ({result.EventsPerSecond:F0} events/s)");
        return true;
    }
}
