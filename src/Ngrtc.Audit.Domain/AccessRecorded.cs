namespace Ngrtc.Audit.Domain;

/// <summary>
/// The audit of the auditor: a person read the tenant's data through the API. Who (the token's subject) in which
/// role(s), for what stated purpose, through which endpoint (its route pattern, never the URL), with which filter
/// (a SHA-256 digest of the route values and query parameters, never the values: they may be identifiers), how
/// many rows came back, the HTTP status and when.
/// </summary>
public sealed record AccessRecorded(
    string Subject,
    IReadOnlyList<string> Roles,
    string Purpose,
    string Endpoint,
    string? FilterSha256,
    int Rows,
    int Status,
    DateTimeOffset At);

/// <summary>Stream key of the access log: one stream per tenant, apart from the tenant's audit log (not in its Merkle tree).</summary>
public static class AccessLogStreams
{
    public const string Reads = "access log";
}
