using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Protection;

/// <summary>
/// What an identifier is, which decides how it is normalised. The catalogue field's category decides the kind
/// (<see cref="IdentifierKinds.ForCategory"/>); nothing is guessed from the value beyond its own syntax
/// (a URI scheme, an <c>@</c>, a number).
/// </summary>
public enum IdentifierKind
{
    /// <summary>IMPU: a SIP/SIPS or tel URI. Also accepts what exposure fields carry as "IMPU or GPSI": GPSI forms and bare numbers.</summary>
    PublicUserIdentity,

    /// <summary>A telephone number: tel URI, E.164 (<c>+…</c>), MSISDN digits, a national number, or a <c>user=phone</c> SIP URI.</summary>
    TelephoneNumber,

    /// <summary>GPSI (TS 23.003 §28.8): <c>msisdn-…</c> or <c>extid-user@domain</c>.</summary>
    Gpsi,

    /// <summary>IMPI, a NAI <c>user@realm</c>.</summary>
    PrivateUserIdentity,

    /// <summary>A third-party specific user identity (TS 23.228 Annex AF): e-mail-like, a URI, or an enterprise's own opaque id.</summary>
    ThirdPartyId,

    /// <summary>What a callee was shown: a third-party id, a number or URI, or a display name.</summary>
    PresentedIdentity,

    /// <summary>A named contact: an e-mail address (or URI), or a person's name.</summary>
    ContactPerson,

    /// <summary>A person's display name.</summary>
    DisplayName,

    /// <summary>A UE's IPv4 or IPv6 address.</summary>
    IpAddress,

    /// <summary>A DTLS certificate fingerprint as in SDP (RFC 8122): <c>sha-256 AB:CD:…</c>.</summary>
    DtlsFingerprint,

    /// <summary>An avatar id (TS 26.264): opaque, trimmed only, in a namespace of its own.</summary>
    AvatarId,

    /// <summary>Any other opaque id (an employee number): trimmed only, in a namespace of its own.</summary>
    OpaqueId,
}

public static class IdentifierKinds
{
    /// <summary>
    /// The kind for a catalogue category (<see cref="PersonalDataCategories"/>). Requires a category of the catalogue;
    /// throws <see cref="ArgumentOutOfRangeException"/> for any other (a category name is not personal data).
    /// </summary>
    public static IdentifierKind ForCategory(string category) => category switch
    {
        PersonalDataCategories.Impu => IdentifierKind.PublicUserIdentity,
        PersonalDataCategories.TelUri => IdentifierKind.TelephoneNumber,
        PersonalDataCategories.Gpsi => IdentifierKind.Gpsi,
        PersonalDataCategories.ThirdPartyId => IdentifierKind.ThirdPartyId,
        PersonalDataCategories.PresentedIdentity => IdentifierKind.PresentedIdentity,
        PersonalDataCategories.ContactPerson => IdentifierKind.ContactPerson,
        PersonalDataCategories.AvatarId => IdentifierKind.AvatarId,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not a personal-data category of the catalogue."),
    };
}

/// <summary>
/// The namespace a normalised identifier lives in. Pseudonyms and subject ids are computed over the form and the
/// value, so an avatar id "anna" never meets a display name "anna", while a number seen as a tel URI in one field
/// and as a SIP URI in another (both <see cref="Address"/>, both <c>+4915…</c>) is one person.
/// </summary>
public enum IdentifierForm : byte
{
    /// <summary>Self-describing addresses: E.164 <c>+digits</c>, <c>sip:…</c>, <c>tel:…</c> (local numbers), <c>user@domain</c>, <c>extid-…</c>.</summary>
    Address = 1,
    DisplayName = 2,
    IpAddress = 3,
    DtlsFingerprint = 4,
    AvatarId = 5,
    OpaqueId = 6,
}

/// <summary>
/// An identifier in canonical form. <see cref="Value"/> is personal data: <see cref="ToString"/> never shows it,
/// so a log line or an exception that formats this struct stays clean.
/// </summary>
public readonly record struct NormalizedIdentifier(IdentifierForm Form, string Value)
{
    public override string ToString() => $"{Form}:[redacted]";
}
