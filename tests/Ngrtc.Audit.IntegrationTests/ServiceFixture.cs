using System.Text.Json.Nodes;
using Alba;
using Hangfire;
using Hangfire.Storage;
using JasperFx.CommandLine;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ngrtc.Audit.Service.Hosting;
using Npgsql;
using Wolverine;

[assembly: AssemblyFixture(typeof(Ngrtc.Audit.IntegrationTests.ServiceFixture))]

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The real service host against the real PostgreSQL that ops/test starts (NGRTC_PG_TEST_CONNECTION).
/// Data is wiped once before the suite; each test then works in a tenant of its own, so tests stay
/// independent without wiping between them.
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public const string DefaultConnection = "Host=127.0.0.1;Port=5433;Database=ngrtc_audit_test;Username=postgres";

    /// <summary>The retention rule of the suite: accountability events older than 30 days.</summary>
    public const int RetentionDays = 30;

    /// <summary>Short, so that the suite can see the expiry it configures.</summary>
    public static readonly TimeSpan DeadLetterExpiration = TimeSpan.FromHours(1);

    /// <summary>Test classes that start a second host, or that use Hangfire, run one after the other.</summary>
    public const string HangfireGlobals = "hangfire-globals";

    public const string SigningKeyId = "suite-1";

    /// <summary>The suite's tree-head key, made for this run.</summary>
    public static System.Security.Cryptography.ECDsa SigningKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public const string RetiredSigningKeyId = "suite-0";

    /// <summary>When the suite's earlier tree-head key retired; the service is configured with its public half only.</summary>
    public static readonly DateTimeOffset SigningKeyRetired = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>That key, private half and all, as a thief of it would hold it.</summary>
    public static System.Security.Cryptography.ECDsa RetiredSigningKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public const string TokenIssuer = "ngrtc-audit-tests";
    public const string TokenAudience = "ngrtc-audit";
    public const string TokenKeyId = "suite-token-1";

    /// <summary>The stated purpose every test client sends (persons must state one).</summary>
    public const string TestPurpose = "integration-test";

    /// <summary>The jurisdiction <see cref="JurisdictionTenant"/> is configured with; regulator clients claim it.</summary>
    public const string Jurisdiction = "DE";

    /// <summary>A tenant with a configured jurisdiction (the others have none: no regulator may read their exports).</summary>
    public const string JurisdictionTenant = "t-jurisdiction-de";

    /// <summary>The suite's token-signing key, made for this run (like the tree-head key).</summary>
    public static System.Security.Cryptography.ECDsa TokenKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public IAlbaHost Host { get; private set; } = null!;

    public string ExportFolder { get; } = Path.Combine(Path.GetTempPath(), "ngrtc-audit-tests", Guid.NewGuid().ToString("n"));

    public static string RabbitMqConnectionString =>
        Environment.GetEnvironmentVariable("NGRTC_RABBITMQ_TEST_CONNECTION") is { Length: > 0 } cs ? cs : "amqp://guest:guest@127.0.0.1:5672";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("NGRTC_PG_TEST_CONNECTION") is { Length: > 0 } cs ? cs : DefaultConnection;

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async ValueTask InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Set("ConnectionStrings__Audit", ConnectionString);
        Set("ConnectionStrings__RabbitMq", RabbitMqConnectionString);
        Set("Ngrtc__Database__ApplySchemaOnStartup", "true");
        Set("Ngrtc__Protection__Keks__Tenants__*__Current", "test-1");
        Set("Ngrtc__Protection__Keks__Tenants__*__Keys__test-1", Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray()));
        Set("Ngrtc__Retention__Class", "A");
        Set("Ngrtc__Retention__AfterDays", RetentionDays.ToString());
        Set("Ngrtc__Exports__Folder", ExportFolder);
        Set("Ngrtc__Jobs__QueuePollInterval", "00:00:00.200");
        Set("Ngrtc__Bus__PollingInterval", "00:00:00.100");
        Set("Ngrtc__Demo__Enabled", "false");
        Set("Ngrtc__Bus__DeadLetterExpiration", DeadLetterExpiration.ToString());
        Set("Ngrtc__Bus__DeadLetterSweepInterval", "00:00:00.500");
        Set("Ngrtc__Bus__KeepHandledEnvelopes", "00:00:01");
        Set("Ngrtc__Bus__HandledEnvelopeCleanupInterval", "00:00:01");
        Set("Logging__LogLevel__Ngrtc", "Debug");
        Set("Ngrtc__Integrity__Signing__Current", SigningKeyId);
        Set("Ngrtc__Integrity__Signing__Keys__0__KeyId", SigningKeyId);
        Set("Ngrtc__Integrity__Signing__Keys__0__Pem", SigningKey.ExportPkcs8PrivateKeyPem());
        Set("Ngrtc__Integrity__Signing__Keys__0__NotBefore", SigningKeyRetired.ToString("O"));
        Set("Ngrtc__Integrity__Signing__Keys__1__KeyId", RetiredSigningKeyId);
        Set("Ngrtc__Integrity__Signing__Keys__1__Pem", RetiredSigningKey.ExportSubjectPublicKeyInfoPem());
        Set("Ngrtc__Integrity__Signing__Keys__1__NotAfter", SigningKeyRetired.ToString("O"));
        Set("Ngrtc__Integrity__PollInterval", "00:00:00.100");
        Set("Ngrtc__Integrity__HeadEveryEvents", "1");
        Set("Ngrtc__Integrity__HeadEvery", "00:00:02");
        Set("Ngrtc__Policy__Path", SuitePolicy.Write());
        Set("Ngrtc__Auth__Issuer", TokenIssuer);
        Set("Ngrtc__Auth__Audience", TokenAudience);
        Set("Ngrtc__Auth__SigningKeys__0__KeyId", TokenKeyId);
        Set("Ngrtc__Auth__SigningKeys__0__Pem", TokenKey.ExportPkcs8PrivateKeyPem());

        // A clean slate before the host starts (the async daemon must not remember an older store).
        await using (var database = NpgsqlDataSource.Create(ConnectionString))
        await using (var drop = database.CreateCommand(
            "drop schema if exists ngrtc, wolverine, wolverine_queues, hangfire cascade"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        Host = await StartServiceProcess();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
        if (Directory.Exists(ExportFolder))
        {
            Directory.Delete(ExportFolder, recursive: true);
        }
    }

    /// <summary>A service host on the suite's settings; the fixture's, or a second one as after a restart.</summary>
    public static Task<IAlbaHost> StartServiceProcess() => AlbaHost.For<Program>(x =>
    {
        x.UseSetting("environment", "Testing");
        x.ConfigureServices(services =>
        {
            services.RunWolverineInSoloMode();
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(CapturedLogs.Provider);
        });
    });

    /// <summary>
    /// A second service host in this process replaces Hangfire's process-wide statics (its log provider,
    /// <see cref="JobStorage.Current"/>) with its own, which die with it: hand them back to the suite's host.
    /// </summary>
    public void ReclaimHangfireGlobals()
    {
        GlobalConfiguration.Configuration.UseLogProvider(
            new Hangfire.AspNetCore.AspNetCoreLogProvider(Host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        JobStorage.Current = Host.Services.GetRequiredService<JobStorage>();
    }

    /// <summary>Waits until the tenant holds exactly <paramref name="count"/> stored events.</summary>
    public static Task StoredEventsReach(string tenant, long count, string what, int seconds = 30) =>
        Eventually(async () => await Api.StoredEventCount(tenant) == count ? "" : null, what, seconds);

    public static string NewTenant() => "t-" + Guid.NewGuid().ToString("n")[..12];

    /// <summary>A client without a token: for the health endpoints, the JWKS and the tests of refusals.</summary>
    public HttpClient Anonymous() => Host.Server.CreateClient();

    /// <summary>
    /// A client acting with one role in one tenant (an emitter also as one NF instance, <paramref name="source"/>):
    /// what every test of an endpoint should use, so that access control applies to it. It sends a bearer token
    /// minted with the suite's key (a regulator's claims the suite's <see cref="Jurisdiction"/>) and states
    /// <see cref="TestPurpose"/> in X-Purpose.
    /// </summary>
    public HttpClient Client(string role, string tenant, string? source = null) =>
        Client(new TokenClaims($"test-{role}", [role], tenant, source, role == Roles.Regulator ? Jurisdiction : null));

    public HttpClient Client(TokenClaims claims) => WithToken(Host.Server.CreateClient(), Token(claims));

    /// <summary>The emitter of <paramref name="e"/>: its NF instance (source) in its tenant.</summary>
    public HttpClient Emitter(JsonNode e) => Client(Roles.Emitter, (string)e["tenant"]!, (string)e["source"]!);

    /// <summary>
    /// Posts events as their emitters would, in the order given: each run of events of one NF instance and tenant
    /// as one batch, with that instance's token.
    /// </summary>
    public async Task PostAsEmitters(params JsonNode[] events)
    {
        static (string, string) Key(JsonNode e) => ((string)e["tenant"]!, (string)e["source"]!);
        var runs = new List<List<JsonNode>>();
        foreach (var e in events)
        {
            if (runs.Count == 0 || Key(runs[^1][0]) != Key(e))
            {
                runs.Add([]);
            }

            runs[^1].Add(e);
        }

        foreach (var run in runs)
        {
            using var client = Emitter(run[0]);
            var response = await client.PostBatch([.. run]);
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            (await response.Json()).GetProperty("rejected").GetInt32().ShouldBe(0);
        }
    }

    /// <summary>A token from the suite's key (or <paramref name="key"/>), issuer and audience unless told otherwise.</summary>
    public static string Token(
        TokenClaims claims, TimeSpan? lifetime = null, string? issuer = null, string? audience = null,
        System.Security.Cryptography.ECDsa? key = null, DateTimeOffset? notBefore = null)
    {
        var from = notBefore ?? DateTimeOffset.UtcNow.AddSeconds(-5);
        var credentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
            new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(key ?? TokenKey) { KeyId = TokenKeyId },
            Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256);
        return AccessTokens.Create(credentials, issuer ?? TokenIssuer, audience ?? TokenAudience, claims, from, from + (lifetime ?? TimeSpan.FromMinutes(10)));
    }

    public static HttpClient WithToken(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add(AccessHeaders.Purpose, TestPurpose);
        return client;
    }

    public IMessageBus Bus() => Host.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>();

    /// <summary>Waits until the async projections (the registers) have applied everything stored so far.</summary>
    public Task ProjectionsCaughtUp() => Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    /// <summary>Polls until <paramref name="probe"/> yields a value; the bus and Hangfire are asynchronous by nature.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up after {seconds} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits for a Hangfire job to reach a final state and returns that state's name.</summary>
    public Task<string> HangfireJobFinished(string jobId)
    {
        var storage = Host.Services.GetRequiredService<JobStorage>();
        return Eventually(
            () =>
            {
                using var connection = storage.GetConnection();
                var state = connection.GetStateData(jobId)?.Name;
                return Task.FromResult(state is "Succeeded" or "Failed" or "Deleted" ? state : null);
            },
            $"Hangfire job {jobId}");
    }

    private static void Set(string name, string value) => Environment.SetEnvironmentVariable(name, value);
}
