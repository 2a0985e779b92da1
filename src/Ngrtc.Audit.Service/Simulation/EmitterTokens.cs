using System.Collections.Concurrent;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Service.Simulation;

/// <summary>
/// Bearer tokens for simulated emitters: one per NF instance (source) and tenant, minted with a configured private
/// key (the Development key, or the bench's key of the run) and renewed before they expire. Each NF instance gets
/// its own, as in a real deployment: a token speaks for one source only.
/// </summary>
public sealed class EmitterTokens(AuthOptions options, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<(string Tenant, string Source), (string Token, DateTimeOffset Renew)> _tokens = new();

    /// <summary>Tokens from <c>Ngrtc:Auth</c> when it holds a private key; null otherwise (the service then refuses HTTP ingestion).</summary>
    public static EmitterTokens? From(IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>();
        if (options is null || options.Problems().Any())
        {
            return null;
        }

        try
        {
            _ = AccessTokens.Credentials(options);
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        return new EmitterTokens(options, TimeProvider.System);
    }

    public string For(string tenant, string source)
    {
        var now = clock.GetUtcNow();
        if (_tokens.TryGetValue((tenant, source), out var held) && held.Renew > now)
        {
            return held.Token;
        }

        var token = AccessTokens.Mint(options, new TokenClaims($"simulated-{source}", [Roles.Emitter], tenant, source), Lifetime, now);
        _tokens[(tenant, source)] = (token, now + Lifetime / 2);
        return token;
    }
}
