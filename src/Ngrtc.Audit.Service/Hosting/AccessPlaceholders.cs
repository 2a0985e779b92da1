using Microsoft.AspNetCore.Authorization;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>
/// MERGE: REPLACE WITH THE AUTHENTICATION WORK (issue 6, JWT). Until authentication lands, the endpoints of the
/// registers, retention schedule and legal holds already require their policies (<see cref="AccessPolicies"/>);
/// this registers those names as allow-all placeholders so the branch runs. Delete this file and its one call in
/// Program.cs when the real policies are registered.
/// </summary>
public static class AccessPlaceholders
{
    public static WebApplicationBuilder AddAccessPlaceholders(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorization(options =>
        {
            foreach (var policy in new[] { AccessPolicies.PrivacyRead, AccessPolicies.Admin })
            {
                options.AddPolicy(policy, p => p.RequireAssertion(_ => true));
            }
        });
        return builder;
    }
}
