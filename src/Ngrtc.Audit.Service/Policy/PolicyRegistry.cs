using Marten;
using Ngrtc.Audit.Domain;

namespace Ngrtc.Audit.Service.Policy;

public sealed class PolicyOptions
{
    public const string Section = "Ngrtc:Policy";

    /// <summary>The policy file in force, absolute or relative to the service's folder (the build copies ops/policy/ to policy/).</summary>
    public string Path { get; set; } = "policy/eu-default.v1.json";

    public string FullPath => System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(AppContext.BaseDirectory, Path);
}

/// <summary>A published policy version as stored (Marten's default tenant): the bytes as published, to serve and reload them.</summary>
public sealed class PublishedPolicy
{
    /// <summary>The version.</summary>
    public string Id { get; set; } = "";

    public string Digest { get; set; } = "";

    /// <summary>Its position among publications (the <c>policy</c> stream's version): the highest is in force.</summary>
    public long Sequence { get; set; }

    public string Source { get; set; } = "";

    public DateTimeOffset PublishedAt { get; set; }

    public string Json { get; set; } = "";
}

public enum PublishStatus
{
    Published,
    AlreadyPublished,
    VersionConflict,
}

/// <summary>
/// The policy in force on this node. It starts as the configured file; at start-up the file is published if its
/// version is new, and the latest publication (the file's, or a later one through the API) is put in force.
/// A version is immutable: the same version with other bytes is refused.
/// </summary>
public sealed class PolicyRegistry(LoadedPolicy file, string fileName, IDocumentStore store, TimeProvider time)
{
    private readonly LoadedPolicy _file = file;
    private volatile LoadedPolicy _current = file;

    public LoadedPolicy Current => _current;


    /// <summary>Publishes <paramref name="policy"/> (a <see cref="PolicyPublished"/> event and the stored bytes) and puts it in force.</summary>
    public async Task<(PublishStatus Status, PublishedPolicy Stored)> PublishAsync(LoadedPolicy policy, string source, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<PublishedPolicy>(policy.Version, ct) is { } existing)
            {
                return (existing.Digest == policy.Digest ? PublishStatus.AlreadyPublished : PublishStatus.VersionConflict, existing);
            }

            var state = await session.Events.FetchStreamStateAsync(PolicyStreams.Policy, ct);
            var next = (state?.Version ?? 0) + 1;
            var now = time.GetUtcNow();
            var stored = new PublishedPolicy { Id = policy.Version, Digest = policy.Digest, Sequence = next, Source = source, PublishedAt = now, Json = policy.Json };
            session.Events.Append(PolicyStreams.Policy, next, new PolicyPublished(policy.Version, policy.Digest, [.. policy.Policy.Activities.Keys.Order(StringComparer.Ordinal)], source, now));
            session.Insert(stored);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (attempt < 3 && e is not OperationCanceledException)
            {
                // Another node published at the same moment: look again.
                continue;
            }

            _current = policy;
            return (PublishStatus.Published, stored);
        }
    }

    /// <summary>Start-up: publish the file if its version is new (refuse it if the version exists with other bytes), then put the latest publication in force.</summary>
    public async Task SynchroniseAsync(CancellationToken ct)
    {
        var file = _file;
        var (status, existing) = await PublishAsync(file, "file:" + fileName, ct);
        if (status == PublishStatus.VersionConflict)
        {
            throw new InvalidOperationException(
                $"Policy version {file.Version} was published before with digest {existing.Digest}, but {fileName} has digest {file.Digest}: a published version never changes; give the changed file a new version.");
        }

        await RefreshAsync(ct);
    }

    /// <summary>Puts the latest publication in force (what another node published too).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var latest = await session.Query<PublishedPolicy>().OrderByDescending(p => p.Sequence).FirstOrDefaultAsync(ct);
        if (latest is not null && latest.Id != _current.Version)
        {
            // Validated against this build's catalogue: a stored version that no longer covers it must be superseded first.
            _current = PolicyLoader.Load(System.Text.Encoding.UTF8.GetBytes(latest.Json), $"version {latest.Id} (stored)");
        }
    }

    public async Task<PublishedPolicy?> FindAsync(string version, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<PublishedPolicy>(version, ct);
    }
}

/// <summary>Publishes the configured file at start-up (failing the start with the reasons if it is invalid).</summary>
public sealed class PolicyStartup(PolicyRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => registry.SynchroniseAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
