using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>One token-signing key: PEM (EC or RSA; public for verifying only, private also lets <c>token</c> mint) or a JWK.</summary>
public sealed class AuthKeyOptions
{
    public string KeyId { get; set; } = "";

    public string? Pem { get; set; }

    public string? PemFile { get; set; }

    /// <summary>A JSON Web Key (RFC 7517) as JSON text; its <c>kid</c> wins over <see cref="KeyId"/>.</summary>
    public string? Jwk { get; set; }
}

/// <summary>
/// <c>Ngrtc:Auth</c>: who issues the bearer tokens the service accepts. Keys come from an OIDC
/// <see cref="Authority"/> (discovery), a <see cref="JwksUrl"/>, or <see cref="SigningKeys"/> in configuration —
/// any combination. There is no default key: outside Development the service does not start until one is set.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Ngrtc:Auth";

    /// <summary>An OIDC issuer URL; its discovery document gives the issuer and the signing keys (refreshed).</summary>
    public string? Authority { get; set; }

    /// <summary>A JWK Set URL (fetched and refreshed) when the provider has no discovery document.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>The <c>iss</c> tokens must carry (required unless <see cref="Authority"/> names it).</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> tokens must carry.</summary>
    public string Audience { get; set; } = "";

    public List<AuthKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>Metadata and JWKS over HTTPS only (turn off only for a local identity provider in development).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What is missing, for the start-up check.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return $"{Section}:Audience is required";
        }

        if (string.IsNullOrWhiteSpace(Issuer) && string.IsNullOrWhiteSpace(Authority))
        {
            yield return $"{Section}:Issuer (or an Authority) is required";
        }

        if (string.IsNullOrWhiteSpace(Authority) && string.IsNullOrWhiteSpace(JwksUrl) && SigningKeys.Count == 0)
        {
            yield return $"{Section} needs an Authority, a JwksUrl or SigningKeys (there is no default key outside Development)";
        }
    }
}

/// <summary>JWT bearer authentication, the role policies, and RFC 9457 answers for 401 and 403.</summary>
public static class Authentication
{
    public const string UnauthorizedType = "urn:ngrtc:audit:problem:unauthorized";
    public const string ForbiddenType = "urn:ngrtc:audit:problem:forbidden";

    // Asymmetric only: a shared HMAC secret would let every emitter that can verify a token also mint one.
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
    ];

    public static WebApplicationBuilder AddAccessControl(this WebApplicationBuilder builder)
    {
        // Checked when the service starts (not when a command only builds the host).
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, DescribeAuthProblems>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) => Configure(jwt, auth.Value));

        builder.Services.AddSingleton<IAuthorizationHandler, JurisdictionHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResults>();
        builder.Services.AddAuthorizationBuilder()
            // Every endpoint that says nothing else needs a valid token of some tenant: new endpoints are protected.
            .SetFallbackPolicy(TenantToken().Build())
            .SetDefaultPolicy(TenantToken().Build())
            .AddPolicy(AccessPolicies.Ingest, TenantToken().RequireRole(Roles.Emitter).RequireClaim(AccessClaims.Source).Build())
            .AddPolicy(AccessPolicies.PrivacyRead, TenantToken().RequireRole(Roles.PrivacyOfficer, Roles.Admin).Build())
            .AddPolicy(AccessPolicies.Reidentify, TenantToken().RequireRole(Roles.Reidentifier).Build())
            .AddPolicy(AccessPolicies.RegulatorExport, TenantToken().RequireRole(Roles.Regulator).RequireClaim(AccessClaims.Jurisdiction)
                .AddRequirements(new JurisdictionRequirement()).Build())
            .AddPolicy(AccessPolicies.Admin, TenantToken().RequireRole(Roles.Admin).Build())
            .AddPolicy(AccessPolicies.ConsentDecision, TenantToken()
                .RequireAssertion(c => c.User.RolesOf().Any(r => r is Roles.PrivacyOfficer or Roles.Admin) || c.User.MayDecideByIdentifier()).Build())
            .AddPolicy(AccessPolicies.IntegrityRead, TenantToken().RequireRole(Roles.PrivacyOfficer, Roles.Regulator, Roles.Admin).Build());
        return builder;
    }

    private static AuthorizationPolicyBuilder TenantToken() =>
        new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().RequireClaim(AccessClaims.Tenant);

    /// <summary>The token's tenant (every authorized request has one).</summary>
    public static string? Tenant(this ClaimsPrincipal user) => user.FindFirst(AccessClaims.Tenant)?.Value;

    public static IReadOnlyList<string> RolesOf(this ClaimsPrincipal user) =>
        [.. user.FindAll(AccessClaims.Roles).Select(c => c.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>A person, as the audit of the auditor means it: any token but one whose only role is emitter.</summary>
    public static bool IsPerson(this ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        var roles = user.RolesOf();
        return roles.Count == 0 || roles.Any(r => r != Roles.Emitter);
    }

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth)
    {
        jwt.MapInboundClaims = false;
        jwt.IncludeErrorDetails = false;
        jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            jwt.Authority = auth.Authority;
        }
        else if (!string.IsNullOrWhiteSpace(auth.JwksUrl))
        {
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                auth.JwksUrl, new JwksRetriever(), new HttpDocumentRetriever { RequireHttps = auth.RequireHttpsMetadata });
        }

        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(auth.Issuer) ? null : auth.Issuer,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = [.. TokenKeys.Load(auth).Select(k => k.Key)],
            ValidAlgorithms = Algorithms,
            ClockSkew = auth.ClockSkew,
            NameClaimType = AccessClaims.Subject,
            RoleClaimType = AccessClaims.Roles,
        };
        jwt.Events = new JwtBearerEvents
        {
            OnChallenge = Unauthorized,
            OnMessageReceived = context =>
            {
                // Only the dashboard takes the token from its cookie (set by POST /api/v1/admin/dashboard-session).
                if (context.Request.Headers.Authorization.Count == 0
                    && context.Request.Path.StartsWithSegments(Jobs.DashboardPath)
                    && context.Request.Cookies.TryGetValue(Jobs.DashboardCookie, out var token))
                {
                    context.Token = token;
                }

                return Task.CompletedTask;
            },
        };
    }

    private static async Task Unauthorized(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            null => "A bearer token is required: Authorization: Bearer <JWT>.",
            SecurityTokenExpiredException => "The bearer token has expired.",
            SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
            SecurityTokenNoExpirationException => "The bearer token has no expiry (exp).",
            SecurityTokenInvalidAudienceException => "The bearer token is for another audience (aud).",
            SecurityTokenInvalidIssuerException => "The bearer token is from an issuer (iss) this service does not trust.",
            SecurityTokenInvalidAlgorithmException => "The bearer token's algorithm is not accepted (asymmetric ES/RS/PS only).",
            SecurityTokenInvalidSignatureException => "The bearer token's signature does not verify with a trusted key.",
            SecurityTokenMalformedException => "The bearer token is not a well-formed JWT.",
            _ => "The bearer token is not valid.",
        };
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await WriteProblemAsync(context.HttpContext, new ProblemDetails
        {
            Type = UnauthorizedType,
            Title = "Unauthorized",
            Status = StatusCodes.Status401Unauthorized,
            Detail = detail,
        });
    }

    public static async Task WriteProblemAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    public static ProblemDetails Forbidden(string detail, params FieldError[] errors)
    {
        var problem = new ProblemDetails { Type = ForbiddenType, Title = "Forbidden", Status = StatusCodes.Status403Forbidden, Detail = detail };
        if (errors.Length > 0)
        {
            problem.Extensions["errors"] = errors;
        }

        return problem;
    }

    /// <summary>403 names the role or claim the token lacks (never the token's own values); 401 goes to the bearer challenge.</summary>
    private sealed class ProblemAuthorizationResults : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (!authorizeResult.Forbidden)
            {
                await _default.HandleAsync(next, context, policy, authorizeResult);
                return;
            }

            var reasons = (authorizeResult.AuthorizationFailure?.FailedRequirements ?? []).Select(r => r switch
            {
                RolesAuthorizationRequirement roles => $"requires the role {string.Join(" or ", roles.AllowedRoles)}",
                ClaimsAuthorizationRequirement claim => $"requires a token with the claim '{claim.ClaimType}'",
                JurisdictionRequirement => "the token's jurisdiction is not the tenant's (the policy's tenants → jurisdiction)",
                _ => "is not allowed for this token",
            }).Distinct().ToList();
            await WriteProblemAsync(context, Forbidden($"This endpoint {string.Join("; ", reasons.DefaultIfEmpty("is not allowed for this token"))}."));
        }
    }

    private sealed class DescribeAuthProblems : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options)
        {
            var problems = options.Problems().ToList();
            try
            {
                _ = TokenKeys.Load(options);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException)
            {
                problems.Add(e.Message);
            }

            return problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
        }
    }

    /// <summary>Fetches a bare JWK Set (no discovery document) for the bearer handler, which caches and refreshes it.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var set = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
            var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = set };
            foreach (var key in set.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}

/// <summary>A regulator reads only the exports of tenants in its jurisdiction.</summary>
public sealed class JurisdictionRequirement : IAuthorizationRequirement;

internal sealed class JurisdictionHandler(Policy.PolicyRegistry policy) : AuthorizationHandler<JurisdictionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, JurisdictionRequirement requirement)
    {
        var jurisdiction = context.User.FindFirst(AccessClaims.Jurisdiction)?.Value;
        if (context.User.Tenant() is { } tenant && !string.IsNullOrEmpty(jurisdiction)
            && string.Equals(policy.Current.Policy.JurisdictionOf(tenant), jurisdiction, StringComparison.OrdinalIgnoreCase))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>A configured key, and how it signs when it holds a private part.</summary>
public sealed record TokenKey(SecurityKey Key, string? SigningAlgorithm);

/// <summary>Token keys from <c>Ngrtc:Auth:SigningKeys</c>.</summary>
public static class TokenKeys
{
    public static IReadOnlyList<TokenKey> Load(AuthOptions options) => [.. options.SigningKeys.Select(Load)];

    public static TokenKey Load(AuthKeyOptions key)
    {
        if (key.Jwk is { Length: > 0 } json)
        {
            var jwk = new JsonWebKey(json);
            if (string.IsNullOrEmpty(jwk.KeyId))
            {
                jwk.KeyId = key.KeyId;
            }

            var alg = jwk.Alg is { Length: > 0 } a ? a
                : jwk.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve ? EcAlgorithm(jwk.Crv switch { "P-384" => 384, "P-521" => 521, _ => 256 })
                : SecurityAlgorithms.RsaSha256;
            return new TokenKey(jwk, jwk.HasPrivateKey ? alg : null);
        }

        var pem = key.Pem is { Length: > 0 } text ? text
            : key.PemFile is { Length: > 0 } file ? File.ReadAllText(file)
            : throw new InvalidOperationException($"{AuthOptions.Section}:SigningKeys '{key.KeyId}' has no Pem, PemFile or Jwk.");
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            var hasPrivate = HasPrivate(() => ec.ExportParameters(true));
            return new TokenKey(new ECDsaSecurityKey(ec) { KeyId = key.KeyId }, hasPrivate ? EcAlgorithm(ec.KeySize) : null);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ec.Dispose();
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            var hasPrivate = HasPrivate(() => rsa.ExportParameters(true));
            return new TokenKey(new RsaSecurityKey(rsa) { KeyId = key.KeyId }, hasPrivate ? SecurityAlgorithms.RsaSha256 : null);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();

            // Name the key, never its text.
            throw new InvalidOperationException($"{AuthOptions.Section}:SigningKeys '{key.KeyId}' is not an unencrypted PEM EC or RSA key.");
        }
    }

    private static string EcAlgorithm(int keySize) => keySize switch
    {
        384 => SecurityAlgorithms.EcdsaSha384,
        521 => SecurityAlgorithms.EcdsaSha512,
        _ => SecurityAlgorithms.EcdsaSha256,
    };

    private static bool HasPrivate(Action export)
    {
        try
        {
            export();
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
