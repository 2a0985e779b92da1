using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Core;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;

namespace Ngrtc.Audit.Service.Ingestion;

public sealed class BusOptions
{
    public const string Section = "Ngrtc:Bus";

    /// <summary>The PostgreSQL queue emitters publish to (the embedded default transport).</summary>
    public string Queue { get; set; } = "audit_ingest";

    /// <summary>Messages fetched per poll; Wolverine's default of 20 every 5 s gives ~4 messages/s.</summary>
    public int MaximumMessagesToReceive { get; set; } = 500;

    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Messages handled at once per listener; they share transactions through group commit, so the more are in
    /// flight, the larger the groups: one event per message, 512 stored ~1.3× what 64 did (ops/bench/README.md).
    /// </summary>
    public int ParallelMessages { get; set; } = 512;

    /// <summary>How long dead letters are kept: they hold the refused events, personal data included.</summary>
    public TimeSpan DeadLetterExpiration { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often dead letters whose expiry is later than <see cref="DeadLetterExpiration"/> allows are brought back to it.</summary>
    public TimeSpan DeadLetterSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a handled PostgreSQL-queue envelope (body included, so personal data in clear) stays in the
    /// inbox. Wolverine keeps it to drop a redelivery of the same envelope; the stored events' own key table is
    /// what makes ingestion idempotent, so seconds suffice.
    /// </summary>
    public TimeSpan KeepHandledEnvelopes { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often expired handled envelopes are deleted.</summary>
    public TimeSpan HandledEnvelopeCleanupInterval { get; set; } = TimeSpan.FromSeconds(10);

    public RabbitMqOptions RabbitMq { get; set; } = new();
}

/// <summary>The RabbitMQ side: listened to when <c>ConnectionStrings:RabbitMq</c> is set.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>Emitters publish to this exchange (fanout) or straight to the queue.</summary>
    public string Exchange { get; set; } = "ngrtc.audit";

    public string Queue { get; set; } = "ngrtc.audit.ingest";

    /// <summary>
    /// Unacknowledged messages the broker hands each consumer. A consumer handles one at a time (it acknowledges
    /// after commit), so a small number keeps the next one ready without holding thousands of bodies in memory.
    /// </summary>
    public ushort PrefetchCount { get; set; } = 2;

    /// <summary>
    /// Concurrent consumers (channels on one connection); each handles one message at a time, and their messages
    /// share transactions. With one event per message, 512 stored ~2.3× what 32 did (ops/bench/README.md).
    /// </summary>
    public int ListenerCount { get; set; } = 512;
}

/// <summary>Wolverine: the PostgreSQL queue always, RabbitMQ when configured, dead letters in PostgreSQL.</summary>
public static class Bus
{
    public const string RabbitMqConnectionName = "RabbitMq";

    /// <summary>Where Wolverine keeps envelopes and dead letters, and where its queue tables live: emitters must agree.</summary>
    public const string EnvelopeSchema = "wolverine";

    public const string QueueSchema = "wolverine_queues";

    public static WebApplicationBuilder AddBus(this WebApplicationBuilder builder)
    {
        var connectionString = AuditStore.ConnectionString(builder);
        var applySchema = AuditStore.ApplySchemaOnStartup(builder);
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        if (bus.DeadLetterExpiration <= TimeSpan.Zero || bus.DeadLetterSweepInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{BusOptions.Section}:DeadLetterExpiration and :DeadLetterSweepInterval must be positive.");
        }
        var rabbitMq = builder.Configuration.GetConnectionString(RabbitMqConnectionName);

        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(Bus).Assembly;
            opts.UseRuntimeCompilation();
            opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            opts.AutoBuildMessageStorageOnStartup = applySchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;
            opts.Durability.DeadLetterQueueExpirationEnabled = true;
            opts.Durability.DeadLetterQueueExpiration = bus.DeadLetterExpiration;
            opts.Durability.KeepAfterMessageHandling = bus.KeepHandledEnvelopes;
            opts.Durability.HandledMessageCleanupPollingTime = bus.HandledEnvelopeCleanupInterval;

            var postgres = opts.UsePostgresqlPersistenceAndTransport(connectionString, EnvelopeSchema, transportSchema: QueueSchema);
            if (applySchema)
            {
                postgres.AutoProvision();
            }

            opts.PublishMessage<AuditEventMessage>().ToPostgresqlQueue(bus.Queue);
            // Many messages in flight at once, so that group commit can gather them into few transactions.
            opts.ListenToPostgresqlQueue(bus.Queue)
                .MaximumMessagesToReceive(bus.MaximumMessagesToReceive)
                .PollingInterval(bus.PollingInterval)
                .MaximumParallelMessages(bus.ParallelMessages);

            if (!string.IsNullOrWhiteSpace(rabbitMq))
            {
                var rabbit = opts.UseRabbitMq(new Uri(rabbitMq))
                    // Dead letters go to PostgreSQL (one place to expire, list and replay them), not to a broker queue.
                    .CustomizeDeadLetterQueueing(new DeadLetterQueue("ngrtc.audit.unused-dlq", DeadLetterQueueMode.WolverineStorage))
                    .DeclareExchange(bus.RabbitMq.Exchange, exchange =>
                    {
                        exchange.ExchangeType = ExchangeType.Fanout;
                        exchange.BindQueue(bus.RabbitMq.Queue);
                    });
                if (applySchema)
                {
                    rabbit.AutoProvision();
                }

                opts.AddSerializer(new RawCloudEventSerializer(CloudEventContentTypes.Single));
                opts.AddSerializer(new RawCloudEventSerializer(CloudEventContentTypes.Batch));

                // Emitters send CloudEvents as they are: no Wolverine headers, the content type says single or batch.
                opts.ListenToRabbitQueue(bus.RabbitMq.Queue)
                    .DefaultIncomingMessage<AuditEventMessage>()
                    .DefaultSerializer(new RawCloudEventSerializer(CloudEventContentTypes.Single))
                    // AMQP clients often add parameters ("; charset=utf-8"); Wolverine picks the serializer by the
                    // exact content type, so ours are found by their media type, as HTTP reads it.
                    .UseInterop((_, mapper) => mapper.MapIncomingProperty(
                        e => e.ContentType!,
                        (envelope, properties) => envelope.ContentType = RawCloudEventSerializer.MediaTypeOf(properties.ContentType)))
                    .PreFetchCount(bus.RabbitMq.PrefetchCount)
                    .ListenerCount(bus.RabbitMq.ListenerCount)
                    .DeadLetterQueueing(new DeadLetterQueue("ngrtc.audit.unused-dlq", DeadLetterQueueMode.WolverineStorage))
                    // Inline: a message is acknowledged to the broker only after its events are committed
                    // (or it is dead-lettered), so a crash redelivers it and the key table drops what was
                    // already stored: at-least-once delivery, exactly-once storage, without writing every
                    // message body into an inbox table first. Consumers run side by side and share
                    // transactions through group commit.
                    .ProcessInline();
            }

            // Invalid input is not retried: it goes to the dead letters with the reason.
            opts.OnException<AuditEventRejectedException>().MoveToErrorQueue();
            // An event of an epoch already anonymised cannot be pseudonymised any more: refused, not retried.
            opts.OnException<Ngrtc.Audit.Protection.EpochAnonymisedException>().MoveToErrorQueue();
            opts.OnException<NpgsqlException>().RetryWithCooldown(100.Milliseconds(), 1.Seconds(), 5.Seconds())
                .Then.MoveToErrorQueue();
        });

        // After Wolverine's own start-up, before the web server's.
        builder.Services.AddHostedService<HandlerWarmup>();
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(bus));
        builder.Services.AddHostedService<Ngrtc.Audit.Service.DeadLetters.DeadLetterLifetime>();
        return builder;
    }
}
