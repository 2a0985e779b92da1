using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Policy;

/// <summary>A policy version as the API shows it: the document as published, its digest, when and from where.</summary>
public sealed record PolicyView(string Version, string Digest, string? Source, DateTimeOffset? PublishedAt, bool InForce, JsonElement Policy);

/// <summary><c>GET /api/v1/policy[/{version}]</c>, <c>POST /api/v1/policy</c>: the policy in force, any published version, publishing a new one.</summary>
public static class PolicyEndpoints
{
    public const long MaxPolicyBytes = 1024 * 1024;

    public static WebApplicationBuilder AddPolicy(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.Section);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PolicyOptions>>().Value;
            return new PolicyRegistry(
                PolicyLoader.LoadFile(options.FullPath),
                Path.GetFileName(options.FullPath),
                sp.GetRequiredService<IDocumentStore>(),
                sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddHostedService<PolicyStartup>();
        builder.Services.AddSingleton<Consent.ConsentChecks>();
        return builder;
    }

    /// <summary>The policy and consent facts and documents the store must know (called from the store's configuration).</summary>
    public static void AddPolicyAndConsent(this StoreOptions options)
    {
        options.Events.AddEventType<PolicyPublished>();
        options.Events.AddEventType<ConsentViolationDetected>();
        options.Events.AddEventType<ConsentViolationCleared>();
        options.Schema.For<PublishedPolicy>();
    }

    public static async Task<IResult> Current(PolicyRegistry registry, CancellationToken ct)
    {
        var current = registry.Current;
        var stored = await registry.FindAsync(current.Version, ct);
        return Results.Ok(View(current.Version, current.Digest, stored, current.Json, inForce: true));
    }

    public static async Task<IResult> OfVersion(string version, PolicyRegistry registry, CancellationToken ct) =>
        await registry.FindAsync(version, ct) is { } stored
            ? Results.Ok(View(stored.Id, stored.Digest, stored, stored.Json, stored.Id == registry.Current.Version))
            : Problems.NotFound("No policy of this version was published.");

    /// <summary>The body is the policy document (application/json), exactly the bytes to publish; its digest is over them.</summary>
    public static async Task<IResult> Publish(HttpRequest request, PolicyRegistry registry, CancellationToken ct)
    {
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.UnsupportedMediaType(new FieldError("content-type", "must be application/json"));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxPolicyBytes)
        {
            return Problems.InvalidParameter("$", $"a policy is at most {MaxPolicyBytes} bytes");
        }

        LoadedPolicy policy;
        try
        {
            policy = PolicyLoader.Load(buffer.ToArray(), "in the request");
        }
        catch (PolicyInvalidException e)
        {
            return Problems.InvalidInput(e.Errors);
        }

        var (status, stored) = await registry.PublishAsync(policy, "api", ct);
        return status switch
        {
            PublishStatus.Published => Results.Created($"/api/v1/policy/{Uri.EscapeDataString(stored.Id)}", View(stored.Id, stored.Digest, stored, stored.Json, inForce: true)),
            PublishStatus.AlreadyPublished => Results.Ok(View(stored.Id, stored.Digest, stored, stored.Json, stored.Id == registry.Current.Version)),
            _ => Results.Problem(new ProblemDetails
            {
                Type = Problems.InvalidInputType,
                Title = "Policy version already published",
                Status = StatusCodes.Status409Conflict,
                Detail = "version: this version was published with other content; a published version never changes, give it a new version",
                Extensions = { ["errors"] = new[] { new FieldError("version", "already published with another digest") } },
            }),
        };
    }

    private static PolicyView View(string version, string digest, PublishedPolicy? stored, string json, bool inForce)
    {
        using var document = JsonDocument.Parse(json);
        return new PolicyView(version, digest, stored?.Source, stored?.PublishedAt, inForce, document.RootElement.Clone());
    }

    public static IEndpointRouteBuilder MapPolicy(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/policy").WithTags("Policy");
        group.MapGet("", Current).WithName("GetPolicy").WithSummary("The policy in force").RequireAuthorization(AccessPolicies.PrivacyRead);
        group.MapGet("/{version}", OfVersion).WithName("GetPolicyVersion").WithSummary("A published policy version").RequireAuthorization(AccessPolicies.PrivacyRead);
        group.MapPost("", Publish).WithName("PublishPolicy").WithSummary("Publish a new policy version").RequireAuthorization(AccessPolicies.Admin);
        return app;
    }
}
