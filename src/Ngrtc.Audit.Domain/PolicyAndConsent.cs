namespace Ngrtc.Audit.Domain;

/// <summary>
/// A policy version became the one in force: its version, the SHA-256 of its file as published
/// (<c>sha256:&lt;hex&gt;</c>), its processing activities, where it came from (<c>file:…</c> or <c>api</c>).
/// </summary>
public sealed record PolicyPublished(string Version, string Digest, IReadOnlyList<string> Activities, string Source, DateTimeOffset At);

/// <summary>
/// A disclosure or an accepted session-management decision relied on consent (legal basis <c>consent</c>) while
/// no consent was active for its subject, purpose and recipient at the time of the call. Pseudonyms only.
/// It is provisional until <see cref="GraceUntil"/>: a consent recorded by then, given no later than the call and
/// active at its time, clears it (<see cref="ConsentViolationCleared"/>); after that it stands.
/// </summary>
public sealed record ConsentViolationDetected(
    string ViolationId,
    string SubjectPseudonym,
    string Purpose,
    string Recipient,
    string EventType,
    string EventSource,
    string EventId,
    DateTimeOffset CallTime,
    string Reason,
    string? PolicyVersion,
    DateTimeOffset DetectedAt,
    DateTimeOffset GraceUntil);

/// <summary>
/// A provisional consent violation was cleared by a consent recorded inside its grace window. It repeats the
/// violation's recipient, call time and reason, so that the registers' day counters can take it back.
/// </summary>
public sealed record ConsentViolationCleared(
    string ViolationId,
    string ConsentEventSource,
    string ConsentEventId,
    DateTimeOffset ConsentTime,
    DateTimeOffset At,
    string? Recipient = null,
    DateTimeOffset? CallTime = null,
    string? Reason = null);

/// <summary>Stream keys of the policy and consent facts the service records itself.</summary>
public static class PolicyStreams
{
    /// <summary>The policy publications (in Marten's default tenant: the policy is the service's, not a tenant's).</summary>
    public const string Policy = "policy";

    /// <summary>A tenant's consent violations.</summary>
    public const string ConsentViolations = "consent violations";
}
