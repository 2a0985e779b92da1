using System.Globalization;
using JasperFx.CommandLine;
using Microsoft.Extensions.Options;

namespace Ngrtc.Audit.Service.Hosting;

public sealed class TokenInput : NetCoreInput
{
    [Description("the role(s): emitter, privacy-officer, reidentifier, regulator, admin (comma-separated for several)")]
    public string RoleFlag { get; set; } = "";

    [Description("the tenant (operator id) the token is for")]
    public string TenantFlag { get; set; } = "";

    [Description("an emitter's NF instance: the CloudEvent source it may send as (required with --role emitter)")]
    public string? SourceFlag { get; set; }

    [Description("a regulator's jurisdiction, e.g. DE (compared with the tenant's jurisdiction in the policy)")]
    public string? JurisdictionFlag { get; set; }

    [Description("rights beyond the role, space- or comma-separated, e.g. consent.decide (an emitter may ask consent decisions by identifier)")]
    public string? ScopeFlag { get; set; }

    [Description("how long the token is valid: 90s, 30m, 8h, 1d (default 1h, at most 30d)")]
    public string TtlFlag { get; set; } = "1h";

    [Description("who: the sub claim (default: dev-<role>)")]
    public string? SubjectFlag { get; set; }
}

[Description("Print a bearer token signed with the configured (development) key: ops/ngrtc-audit token --role admin --tenant demo-operator", Name = "token")]
public sealed class TokenCommand : JasperFxCommand<TokenInput>
{
    public override bool Execute(TokenInput input)
    {
        var roles = input.RoleFlag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (roles.Length == 0 || roles.Any(r => !Roles.All.Contains(r)))
        {
            return Fail($"--role must be one or more of {string.Join(", ", Roles.All)}");
        }

        if (string.IsNullOrWhiteSpace(input.TenantFlag))
        {
            return Fail("--tenant is required");
        }

        if (roles.Contains(Roles.Emitter) && string.IsNullOrWhiteSpace(input.SourceFlag))
        {
            return Fail("--source (the NF instance, e.g. urn:ngrtc:nf:DCSF:dcsf-eu1-07) is required for an emitter");
        }

        if (ParseLifetime(input.TtlFlag) is not { } lifetime)
        {
            return Fail("--ttl must be like 90s, 30m, 8h or 1d, at most 30d");
        }

        using var host = input.BuildHost();
        var options = host.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        string token;
        try
        {
            token = AccessTokens.Mint(
                options,
                new TokenClaims(input.SubjectFlag ?? $"dev-{roles[0]}", roles, input.TenantFlag, input.SourceFlag, input.JurisdictionFlag,
                    input.ScopeFlag?.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)),
                lifetime,
                DateTimeOffset.UtcNow);
        }
        catch (InvalidOperationException e)
        {
            return Fail(e.Message);
        }

        Console.WriteLine(token);
        return true;
    }

    public static TimeSpan? ParseLifetime(string text)
    {
        TimeSpan? lifetime = text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
            ? text[^1] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            }
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
        return lifetime <= TimeSpan.FromDays(30) ? lifetime : null;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"token: {message}");
        return false;
    }
}
