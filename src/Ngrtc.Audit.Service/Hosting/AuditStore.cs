using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Core;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Protection;
using Npgsql;
using Weasel.Core;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;

namespace Ngrtc.Audit.Service.Hosting;

public sealed class BusOptions
{
    public const string Section = "Ngrtc:Bus";

    /// <summary>The PostgreSQL queue emitters publish to.</summary>
    public string Queue { get; set; } = "audit_ingest";

    /// <summary>Messages fetched per poll; Wolverine's default of 20 every 5 s gives ~4 messages/s.</summary>
    public int MaximumMessagesToReceive { get; set; } = 500;

    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>PostgreSQL, Marten's event store and Wolverine's bus, configured in one place.</summary>
public static class AuditStore
{
    public const string ConnectionStringName = "Audit";
    public const string Schema = "ngrtc";

    public static WebApplicationBuilder AddAuditStore(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is required (environment variable ConnectionStrings__{ConnectionStringName}).");
        }

        var applySchema = builder.Configuration.GetValue("Ngrtc:Database:ApplySchemaOnStartup", builder.Environment.IsDevelopment());
        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();

        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddOptions<PseudonymOptions>().BindConfiguration(PseudonymOptions.Section)
            .Validate(o => Pseudonymizer.IsUsableKey(o.Key), $"{PseudonymOptions.Section}:Key must be base64 of at least 32 random bytes (there is no default outside Development).")
            .ValidateOnStart();
        builder.Services.AddSingleton<Pseudonymizer>();
        builder.Services.AddSingleton<AuditAppender>();
        builder.Services.AddSingleton(TimeProvider.System);

        var marten = builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.AutoCreateSchemaObjects = applySchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;
                options.Events.TenancyStyle = TenancyStyle.Conjoined;
                options.Events.StreamIdentity = StreamIdentity.AsString;
                options.Policies.AllDocumentsAreMultiTenanted();
                options.Events.AddEventType<AuditEventRecorded>();
                options.Events.AddEventType<RetentionRedactionExecuted>();
                options.Events.AddEventType<ComplianceExportWritten>();
                options.AddAuditProjections();
            })
            .UseLightweightSessions();
        if (applySchema)
        {
            marten.ApplyAllDatabaseChangesOnStartup();
        }

        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(AuditStore).Assembly;
            opts.UseRuntimeCompilation();
            opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            opts.AutoBuildMessageStorageOnStartup = applySchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;

            var transport = opts.UsePostgresqlPersistenceAndTransport(connectionString, "wolverine", transportSchema: "wolverine_queues");
            if (applySchema)
            {
                transport.AutoProvision();
            }

            opts.PublishMessage<AuditEventMessage>().ToPostgresqlQueue(bus.Queue);
            opts.ListenToPostgresqlQueue(bus.Queue)
                .MaximumMessagesToReceive(bus.MaximumMessagesToReceive)
                .PollingInterval(bus.PollingInterval);

            // Invalid input is not retried: it goes to the dead letters with the reason.
            opts.OnException<AuditEventRejectedException>().MoveToErrorQueue();
            opts.OnException<NpgsqlException>().RetryWithCooldown(100.Milliseconds(), 1.Seconds(), 5.Seconds())
                .Then.MoveToErrorQueue();
        });

        return builder;
    }
}
