namespace Ngrtc.Audit.Domain;

/// <summary>What a legal hold covers; <see cref="LegalHoldPlaced.Keys"/> holds the values it matches.</summary>
public static class LegalHoldScopes
{
    /// <summary>Events that carry one of the keys (epoch pseudonyms of one person) anywhere among their pseudonyms.</summary>
    public const string Subject = "subject";

    /// <summary>Events that name the enterprise (<c>enterpriseId</c>) or belong to a call the identity register attributes to it.</summary>
    public const string Enterprise = "enterprise";

    /// <summary>Events whose <c>correlationid</c> is the case id (an ICID, PASSporT origid, NEF correlation or incident id).</summary>
    public const string Case = "case";

    public static readonly IReadOnlyList<string> All = [Subject, Enterprise, Case];
}

/// <summary>
/// A legal hold was placed: events it covers are not redacted by retention until it is released. No identifier:
/// a subject hold's keys are the person's epoch pseudonyms. The reason is checked to carry no number, URI or address.
/// </summary>
public sealed record LegalHoldPlaced(string HoldId, string Scope, IReadOnlyList<string> Keys, string Reason, DateTimeOffset At);

/// <summary>A legal hold was released; retention applies again to what it covered.</summary>
public sealed record LegalHoldReleased(string HoldId, string Reason, DateTimeOffset At);

public static class LegalHoldStreams
{
    /// <summary>One stream per hold (in its tenant): <c>legal-hold lh-…</c>.</summary>
    public static string For(string holdId) => $"legal-hold {holdId}";
}
