using Marten;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Protection.Postgres;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.Service.Protection;

public sealed class ProtectionSettings
{
    public const string Section = "Ngrtc:Protection";

    /// <summary>Pseudonym epoch length in days; 0 (the default) means calendar months (UTC).</summary>
    public int EpochDays { get; set; }

    /// <summary>Default country code for national numbers (a leading 0), e.g. "49"; none by default.</summary>
    public string? DefaultCountryCode { get; set; }

    /// <summary>
    /// Store events as validated, unprotected: only for the ingestion benchmark's "without protection" baseline,
    /// and refused at start-up unless the environment is <see cref="ProtectionSetup.BenchmarkEnvironment"/>.
    /// </summary>
    public bool DisabledForBenchmark { get; set; }
}

/// <summary>Keys, peppers and the <see cref="FieldProtector"/>: the one place personal data is protected and revealed.</summary>
public static class ProtectionSetup
{
    public const string BenchmarkEnvironment = "Benchmark";

    public static WebApplicationBuilder AddProtection(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>($"{ProtectionSettings.Section}:{nameof(ProtectionSettings.DisabledForBenchmark)}")
            && !builder.Environment.IsEnvironment(BenchmarkEnvironment))
        {
            throw new InvalidOperationException($"{ProtectionSettings.Section}:DisabledForBenchmark is only accepted in the {BenchmarkEnvironment} environment.");
        }

        builder.Services.AddOptions<KeyEncryptionKeyOptions>().BindConfiguration(KeyEncryptionKeyOptions.Section)
            .Validate(
                o => o.Tenants.Count > 0 || !string.IsNullOrWhiteSpace(o.Directory),
                $"{KeyEncryptionKeyOptions.Section} must name key-encryption keys (Tenants or Directory); there is no default outside Development.")
            .ValidateOnStart();
        builder.Services.AddOptions<ProtectionSettings>().BindConfiguration(ProtectionSettings.Section);
        builder.Services.AddSingleton<IKeyEncryptionKeyProvider>(sp => new ConfiguredKeyEncryptionKeys(sp.GetRequiredService<IOptions<KeyEncryptionKeyOptions>>().Value));
        builder.Services.AddSingleton<IPepperStore>(sp => new PostgresPepperStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IKeyEncryptionKeyProvider>(), AuditStore.Schema, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ISubjectKeyStore>(sp => new PostgresSubjectKeyStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IKeyEncryptionKeyProvider>(), AuditStore.Schema, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ProtectionSettings>>().Value;
            var options = new ProtectionOptions
            {
                Epochs = settings.EpochDays > 0 ? EpochSchedule.EveryDays(settings.EpochDays) : EpochSchedule.Monthly(),
                Normalization = NormalizerOptions.Default with { DefaultCountryCode = settings.DefaultCountryCode },
            };
            return new FieldProtector(sp.GetRequiredService<IPepperStore>(), sp.GetRequiredService<ISubjectKeyStore>(), options, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton(sp => new KeyRotation(
            sp.GetRequiredService<IKeyEncryptionKeyProvider>(), sp.GetRequiredService<ISubjectKeyStore>(), sp.GetRequiredService<IPepperStore>()));
        return builder;
    }

    /// <summary>The key and pepper tables join Marten's schema (created and migrated with it).</summary>
    public static void AddProtectionTables(this StoreOptions options) =>
        options.Storage.ExtendedSchemaObjects.AddRange(ProtectionTables.All(AuditStore.Schema));
}
