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

    /// <summary><c>pg</c>: the service's PostgreSQL queue; <c>rabbitmq</c>: the RabbitMQ exchange, as a plain AMQP emitter would.</summary>
    public string Transport { get; set; } = "pg";
}

/// <summary>Publishes simulated audit events over the bus so a newcomer sees data at once (ops/run turns it on).</summary>
public sealed class DemoEmitter(
    IServiceScopeFactory scopes,
    IOptions<DemoOptions> options,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<DemoEmitter> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var demo = options.Value;
        var traffic = new SimulatedTraffic(demo.Seed + (int)(clock.GetUtcNow().ToUnixTimeSeconds() % 100_000), [SimulatedTraffic.DemoTenant]);
        await using var publisher = demo.Transport == "rabbitmq"
            ? await AuditPublishers.CreateAsync("rabbitmq", SimulationTargets.From(configuration, new Uri("http://127.0.0.1:5080")), stoppingToken)
            : new InProcessBusPublisher(scopes);
        logger.LogInformation("Demo emitter publishing {Rate} events/s for tenant {Tenant} over {Transport}", demo.EventsPerSecond, SimulatedTraffic.DemoTenant, demo.Transport);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await publisher.PublishAsync(AuditEventMessage.Batch(traffic.NextBatch(clock.GetUtcNow(), demo.EventsPerSecond)), stoppingToken);
        }
    }

    /// <summary>Publishes through the service's own Wolverine runtime, which routes to the PostgreSQL queue.</summary>
    private sealed class InProcessBusPublisher(IServiceScopeFactory scopes) : IAuditPublisher
    {
        public async Task PublishAsync(AuditEventMessage message, CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(message);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
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
