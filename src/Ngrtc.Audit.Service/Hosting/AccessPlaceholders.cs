namespace Ngrtc.Audit.Service.Hosting;

/// <summary>
/// PLACEHOLDER — REPLACE AT MERGE with the authentication branch (issue 6, JWT + audit of the auditor).
/// Registers every <see cref="AccessPolicies"/> name as a policy that lets everyone through, so endpoints can carry
/// their real <c>.RequireAuthorization(AccessPolicies.X)</c> before authentication exists. A policy already
/// registered under the same name (the real one) is never replaced, in whichever order both run.
/// </summary>
public static class AccessPlaceholders
{
    public static WebApplicationBuilder AddPlaceholderAccessPolicies(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorization(options =>
        {
            foreach (var name in new[] { AccessPolicies.Ingest, AccessPolicies.PrivacyRead, AccessPolicies.Reidentify, AccessPolicies.RegulatorExport, AccessPolicies.Admin })
            {
                if (options.GetPolicy(name) is null)
                {
                    options.AddPolicy(name, p => p.RequireAssertion(_ => true));
                }
            }
        });
        return builder;
    }
}
