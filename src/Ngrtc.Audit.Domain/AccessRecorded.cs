namespace Ngrtc.Audit.Domain;

/// <summary>
/// The audit of the auditor: a person read the tenant's data through the API. Who (the token's subject) in which
/// role(s), for what stated purpose, through which endpoint (its route pattern, never the URL), with which filter
/// (<see cref="FilterDigest"/>: a keyed digest of the route values and query parameters, never the values: they may
/// be identifiers), how many rows came back, the HTTP status and when.
/// </summary>
/// <param name="FilterSha256">Reads recorded before filter digests were keyed: the plain SHA-256 of the filter; null since.</param>
/// <param name="FilterDigest">HMAC-SHA256 of the canonical filter under a key of the tenant only the service holds (see the README's access log).</param>
public sealed record AccessRecorded(
    string Subject,
    IReadOnlyList<string> Roles,
    string Purpose,
    string Endpoint,
    string? FilterSha256,
    int Rows,
    int Status,
    DateTimeOffset At,
    string? FilterDigest = null);

/// <summary>Stream key of the access log: one stream per tenant, apart from the tenant's audit log (not in its Merkle tree).</summary>
public static class AccessLogStreams
{
    public const string Reads = "access log";
}
