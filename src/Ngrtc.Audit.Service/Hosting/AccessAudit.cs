using Marten;
using Microsoft.AspNetCore.Mvc;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.Service.Hosting;

/// <summary>
/// Marks a non-GET endpoint that reads data (e.g. a POST that reveals a subject): its calls by persons are
/// recorded like GETs. <c>.WithMetadata(new AuditedRead())</c> or <c>.AuditedRead()</c>.
/// </summary>
public sealed class AuditedRead;

/// <summary>
/// Tenant isolation and the audit of the auditor, for every endpoint, wherever it is mapped:
/// <list type="bullet">
/// <item>the token's tenant decides: a <c>tenant</c> query parameter that differs is refused (403 naming
/// <c>tenant</c>); one that is absent is filled in from the token, so every endpoint that takes <c>?tenant=</c>
/// works in the caller's tenant only;</item>
/// <item>every read by a person under <c>/api/v1</c> (GET, or an endpoint marked <see cref="AuditedRead"/>) needs a
/// stated purpose (header <c>X-Purpose</c>) and appends an <see cref="AccessRecorded"/> event to the tenant's access
/// log. Under the API group (<see cref="MapApi"/>) the event is appended after the handler and <b>before</b> the body
/// is written, with the rows the result counts (<see cref="ICountedResult"/>): a read that cannot be recorded fails
/// and shows nothing. Endpoints mapped elsewhere under <c>/api/v1</c> are still recorded, after the response.</item>
/// </list>
/// </summary>
public static class AccessAudit
{
    public const string ApiPrefix = "/api/v1";
    public const string PurposeRequiredType = "urn:ngrtc:audit:problem:purpose-required";
    public const int MaxPurposeLength = 200;

    private const string PendingKey = "ngrtc.access.pending";

    /// <summary>The group every API slice maps under: the filter that records reads before their body goes out.</summary>
    public static RouteGroupBuilder MapApi(this WebApplication app)
    {
        var api = app.MapGroup("");
        api.AddEndpointFilter(RecordBeforeWriting);
        return api;
    }

    public static TBuilder AuditedRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AuditedRead());

    /// <summary>After authorization: tenant check, purpose check, and recording reads that the filter did not.</summary>
    public static IApplicationBuilder UseAccessAudit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var user = context.User;
        // Public endpoints (health, JWKS, docs) hold no tenant's data: a token there changes nothing.
        if (user.Identity?.IsAuthenticated != true || context.GetEndpoint() is not { } endpoint
            || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }

        var tenant = user.Tenant();
        var asked = context.Request.Query["tenant"];
        if (asked.Count > 0 && asked.Any(t => !string.Equals(t, tenant, StringComparison.Ordinal)))
        {
            await Authentication.WriteProblemAsync(context, Authentication.Forbidden(
                "The token is for another tenant: leave the tenant query parameter out, or give the token's own.",
                new FieldError("tenant", "is not the token's tenant")));
            return;
        }

        var filter = Filter(context);
        if (asked.Count == 0 && tenant is not null)
        {
            context.Request.QueryString = context.Request.QueryString.Add("tenant", tenant);
        }

        if (!IsAuditedRead(context, endpoint) || tenant is null)
        {
            await next(context);
            return;
        }

        var purpose = context.Request.Headers[AccessHeaders.Purpose].ToString().Trim();
        if (PurposeProblem(purpose) is { } reason)
        {
            await Authentication.WriteProblemAsync(context, new ProblemDetails
            {
                Type = PurposeRequiredType,
                Title = "Purpose required",
                Status = StatusCodes.Status400BadRequest,
                Detail = $"Every read by a person states its purpose in the {AccessHeaders.Purpose} header: {reason}.",
                Extensions = { ["errors"] = new[] { new FieldError(AccessHeaders.Purpose, reason) } },
            });
            return;
        }

        var pending = new PendingRead(tenant, new AccessRecorded(
            user.FindFirst(AccessClaims.Subject)?.Value ?? "",
            user.RolesOf(),
            purpose,
            $"{context.Request.Method} {Pattern(endpoint)}",
            null,
            0,
            0,
            DateTimeOffset.MinValue,
            filter is null ? null : await FilterDigestAsync(context.RequestServices.GetRequiredService<FieldProtector>(), tenant, filter, context.RequestAborted)));
        context.Items[PendingKey] = pending;
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            if (!pending.Recorded)
            {
                // Not mapped under the API group (or the handler threw): recorded after the fact.
                await RecordAsync(context, pending, status is >= 200 and < 300 ? 1 : 0, status);
            }
        }
    });

    private static async ValueTask<object?> RecordBeforeWriting(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var result = await next(invocation);
        if (invocation.HttpContext.Items[PendingKey] is PendingRead { Recorded: false } pending)
        {
            var status = StatusOf(result);
            await RecordAsync(invocation.HttpContext, pending, status is >= 200 and < 300 ? RowsOf(result) : 0, status);
        }

        return result;
    }

    private static async Task RecordAsync(HttpContext context, PendingRead pending, int rows, int status)
    {
        pending.Recorded = true;
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        var store = context.RequestServices.GetRequiredService<IDocumentStore>();
        // Not the request's token: a read whose caller went away was still made.
        await Receipts.AppendAccessAsync(
            context.RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            store.Options.Serializer(),
            pending.Tenant,
            pending.Access with { Rows = rows, Status = status, At = clock.GetUtcNow() },
            CancellationToken.None);
    }

    /// <summary>The route pattern, without the trailing slash a group mapped at "" leaves.</summary>
    private static string Pattern(Endpoint endpoint) =>
        (endpoint as RouteEndpoint)?.RoutePattern.RawText is { Length: > 1 } raw ? raw.TrimEnd('/') : endpoint.DisplayName ?? "";

    private static bool IsAuditedRead(HttpContext context, Endpoint endpoint) =>
        context.Request.Path.StartsWithSegments(ApiPrefix, StringComparison.OrdinalIgnoreCase)
        && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || endpoint.Metadata.GetMetadata<AuditedRead>() is not null)
        && context.User.IsPerson();

    /// <summary>Why a stated purpose is refused, or null. It goes on the record, so it must not be an identifier.</summary>
    public static string? PurposeProblem(string purpose)
    {
        if (purpose.Length == 0)
        {
            return "required (e.g. X-Purpose: dsar-2026-113 or dpv:LegalCompliance)";
        }

        if (purpose.Length > MaxPurposeLength)
        {
            return $"at most {MaxPurposeLength} characters";
        }

        // Printable ASCII without '@' and '+': a purpose names a case or a reason, never an address or a number.
        return purpose.All(c => c is >= ' ' and <= '~' and not '@' and not '+')
            ? null
            : "printable ASCII without '@' or '+' (a purpose or case id, not an identifier)";
    }

    /// <summary>
    /// The request's filter in canonical form — route values and query parameters except <c>tenant</c>, as
    /// <c>name=value</c> (RFC 3986 percent-encoded) sorted by name then value, joined by <c>&amp;</c> — or null when
    /// there is none. Never stored: only <see cref="FilterDigestAsync"/> of it is.
    /// </summary>
    public static string? Filter(HttpContext context)
    {
        var pairs = new List<(string Name, string Value)>();
        foreach (var (name, value) in context.Request.RouteValues)
        {
            pairs.Add((name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        foreach (var (name, values) in context.Request.Query)
        {
            if (name == "tenant")
            {
                continue;
            }

            pairs.AddRange(values.Select(v => (name, v ?? "")));
        }

        return pairs.Count == 0 ? null : Canonical(pairs);
    }

    /// <summary>The access log's digest of a canonical filter: keyed per tenant, so a filter holding a phone number cannot be found by trying numbers.</summary>
    public static ValueTask<string> FilterDigestAsync(FieldProtector protector, string tenant, string canonicalFilter, CancellationToken ct) =>
        protector.KeyedDigestAsync(tenant, FilterDigestLabel, canonicalFilter, ct);

    private const string FilterDigestLabel = "ngrtc-audit access-log filter v1";

    public static string Canonical(IEnumerable<(string Name, string Value)> pairs) =>
        string.Join('&', pairs
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));

    private static int StatusOf(object? result) => result switch
    {
        INestedHttpResult nested => StatusOf(nested.Result),
        IStatusCodeHttpResult { StatusCode: { } code } => code,
        _ => StatusCodes.Status200OK,
    };

    private static int RowsOf(object? result) => result switch
    {
        INestedHttpResult nested => RowsOf(nested.Result),
        ICountedResult counted => counted.Rows,
        IValueHttpResult { Value: ICountedResult counted } => counted.Rows,
        _ => 1,
    };

    private sealed class PendingRead(string tenant, AccessRecorded access)
    {
        public string Tenant { get; } = tenant;

        public AccessRecorded Access { get; } = access;

        public bool Recorded { get; set; }
    }
}
