using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>What a minted token says: who, in which role(s), for which tenant (and NF instance or jurisdiction).</summary>
public sealed record TokenClaims(string Subject, IReadOnlyList<string> Roles, string Tenant, string? Source = null, string? Jurisdiction = null, IReadOnlyList<string>? Scopes = null);

/// <summary>
/// Mints bearer tokens with a configured private key: the <c>token</c> command (development), the test suite, the
/// simulator and the bench. In production an identity provider issues them and the service holds public keys only.
/// </summary>
public static class AccessTokens
{
    public static string Create(SigningCredentials credentials, string issuer, string audience, TokenClaims claims, DateTimeOffset notBefore, DateTimeOffset expires)
    {
        var body = new Dictionary<string, object>
        {
            [AccessClaims.Subject] = claims.Subject,
            [AccessClaims.Roles] = claims.Roles.ToArray(),
            [AccessClaims.Tenant] = claims.Tenant,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("n"),
        };
        if (claims.Source is { Length: > 0 } source)
        {
            body[AccessClaims.Source] = source;
        }

        if (claims.Scopes is { Count: > 0 } scopes)
        {
            body[AccessClaims.Scope] = string.Join(' ', scopes);
        }

        if (claims.Jurisdiction is { Length: > 0 } jurisdiction)
        {
            body[AccessClaims.Jurisdiction] = jurisdiction;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = body,
            IssuedAt = notBefore.UtcDateTime,
            NotBefore = notBefore.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = credentials,
        });
    }

    /// <summary>Signing credentials from the first configured key that holds a private part.</summary>
    public static SigningCredentials Credentials(AuthOptions options) =>
        TokenKeys.Load(options).FirstOrDefault(k => k.SigningAlgorithm is not null) is { } key
            ? new SigningCredentials(key.Key, key.SigningAlgorithm)
            : throw new InvalidOperationException(
                $"No private key in {AuthOptions.Section}:SigningKeys to sign with (tokens come from the identity provider here).");

    /// <summary>A token from the configured key, issuer and audience, valid from now for <paramref name="lifetime"/>.</summary>
    public static string Mint(AuthOptions options, TokenClaims claims, TimeSpan lifetime, DateTimeOffset now) =>
        Create(Credentials(options), options.Issuer ?? options.Authority ?? "", options.Audience, claims, now, now + lifetime);
}
