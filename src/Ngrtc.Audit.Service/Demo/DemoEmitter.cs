using Microsoft.Extensions.Options;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Simulation;
using Wolverine;

namespace Ngrtc.Audit.Service.Demo;

public sealed class DemoOptions
{
    public const string Section = "Ngrtc:Demo";

    public bool Enabled { get; set; }

    /// <summary>Events per second, published as one batch message per second.</summary>
    public int EventsPerSecond { get; set; } = 5;

    public int Seed { get; set; } = 42;
}

/// <summary>Publishes simulated audit events over the bus so a newcomer sees data at once (ops/run turns it on).</summary>
public sealed class DemoEmitter(IServiceScopeFactory scopes, IOptions<DemoOptions> options, TimeProvider clock, ILogger<DemoEmitter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value;
        var traffic = new SimulatedTraffic(demo.Seed + (int)(clock.GetUtcNow().ToUnixTimeSeconds() % 100_000), [SimulatedTraffic.DemoTenant]);
        logger.LogInformation("Demo emitter publishing {Rate} events/s for tenant {Tenant}", demo.EventsPerSecond, SimulatedTraffic.DemoTenant);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await using var scope = scopes.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            await bus.PublishAsync(AuditEventMessage.Batch(traffic.NextBatch(clock.GetUtcNow(), demo.EventsPerSecond)));
        }
    }

    public static WebApplicationBuilder AddDemo(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        if (builder.Configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled"))
        {
            builder.Services.AddHostedService<DemoEmitter>();
        }

        return builder;
    }
}
