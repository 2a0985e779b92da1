using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Projections;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Policy;
using Ngrtc.Audit.Service.Protection;
using Npgsql;
using Weasel.Core;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>PostgreSQL and Marten's event store, configured in one place.</summary>
public static class AuditStore
{
    public const string ConnectionStringName = "Audit";
    public const string Schema = "ngrtc";

    /// <summary>
    /// Statements Npgsql prepares on each connection once they repeat, unless the connection string says otherwise
    /// (<c>Max Auto Prepare=0</c> turns it off): PostgreSQL then parses and plans the service's, Marten's and
    /// Wolverine's recurring statements once per connection instead of at every call. It cut PostgreSQL's CPU
    /// per stored event by 18–27% in ops/bench/ingest (ops/bench/README.md).
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    public static string ConnectionString(WebApplicationBuilder builder) =>
        builder.Configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } connectionString
            ? WithDefaults(connectionString)
            : throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is required (environment variable ConnectionStrings__{ConnectionStringName}).");

    /// <summary>The configured connection string with the service's defaults for what it does not set.</summary>
    public static string WithDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;
    }

    public static bool ApplySchemaOnStartup(WebApplicationBuilder builder) =>
        builder.Configuration.GetValue("Ngrtc:Database:ApplySchemaOnStartup", builder.Environment.IsDevelopment());

    public static WebApplicationBuilder AddAuditStore(this WebApplicationBuilder builder)
    {
        var connectionString = ConnectionString(builder);
        var applySchema = ApplySchemaOnStartup(builder);

        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.AddProtection();
        builder.Services.AddSingleton<AuditAppender>();
        builder.Services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.Section);
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupCommit>());
        builder.Services.AddSingleton(TimeProvider.System);

        var marten = builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                // System.Text.Json, camelCase, enums as strings; an audit record the appender serialised for its leaf hash is
                // stored from those bytes rather than serialised again (StoredJsonSerializer).
                options.Serializer(new StoredJsonSerializer { EnumStorage = EnumStorage.AsString, Casing = Casing.CamelCase });
                options.AutoCreateSchemaObjects = applySchema ? AutoCreate.CreateOrUpdate : AutoCreate.None;
                options.Events.TenancyStyle = TenancyStyle.Conjoined;
                options.Events.StreamIdentity = StreamIdentity.AsString;
                options.Policies.AllDocumentsAreMultiTenanted();
                options.Events.AddEventType<AuditEventRecorded>();
                options.Events.AddEventType<RetentionRedactionExecuted>();
                options.Events.AddEventType<ComplianceExportWritten>();
                options.Events.AddEventType<AccessRecorded>();
                options.Storage.ExtendedSchemaObjects.Add(AuditAppender.KeysTableDefinition());
                options.AddProtectionTables();
                options.Storage.ExtendedSchemaObjects.AddRange(Integrity.IntegrityTables.Definitions());
                options.Storage.ExtendedSchemaObjects.Add(Registers.RegisterUpgrade.TableDefinition());
                options.AddAuditProjections();
                options.AddPolicyAndConsent();
                // Also set here: with AddMarten(Action<StoreOptions>) the mode AddAsyncDaemon configures
                // did not reach the store (it warned "the async daemon is disabled" and ran nothing).
                options.Projections.AsyncMode = DaemonMode.HotCold;
            })
            .UseLightweightSessions()
            .AddAsyncDaemon(DaemonMode.HotCold);
        if (applySchema)
        {
            marten.ApplyAllDatabaseChangesOnStartup();
        }

        // After the schema (hosted services start in order), before ingestion can begin.
        builder.Services.AddHostedService<Registers.RegisterUpgrade>();

        return builder;
    }
}
