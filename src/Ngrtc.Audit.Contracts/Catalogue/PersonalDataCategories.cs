namespace Ngrtc.Audit.Contracts.Catalogue;

/// <summary>The kinds of personal identifier the catalogue classifies (EVENTS.md); one vocabulary for every contract.</summary>
public static class PersonalDataCategories
{
    /// <summary>IMS public user identity: a SIP or tel URI.</summary>
    public const string Impu = "impu";

    /// <summary>A telephone number as a tel URI or E.164 string (PASSporT <c>orig</c> / <c>dest</c>).</summary>
    public const string TelUri = "tel-uri";

    /// <summary>Generic public subscription identifier (MSISDN or external identifier) as the NEF exposes it.</summary>
    public const string Gpsi = "gpsi";

    /// <summary>A third-party specific user identity (TS 23.228 Annex AF), e.g. an enterprise employee's identity.</summary>
    public const string ThirdPartyId = "third-party-id";

    /// <summary>The identity shown to the called party: a third-party ID, a number or a display name.</summary>
    public const string PresentedIdentity = "presented-identity";

    /// <summary>A named contact person, e.g. an enterprise's certificate contact.</summary>
    public const string ContactPerson = "contact-person";

    /// <summary>The identifier of a person's avatar (TS 26.264); links to its owner.</summary>
    public const string AvatarId = "avatar-id";

    public static IReadOnlyList<string> All { get; } =
        [Impu, TelUri, Gpsi, ThirdPartyId, PresentedIdentity, ContactPerson, AvatarId];
}

/// <summary>Processing activities (GDPR Art 30 record) the catalogue's events belong to.</summary>
public static class ProcessingActivities
{
    public const string SbiAccessControl = "sbi-access-control";
    public const string DataChannelServiceProvision = "data-channel-service-provision";
    public const string DataChannelExposure = "data-channel-exposure";
    public const string ThirdPartyIdentityAssurance = "third-party-identity-assurance";
    public const string AvatarCommunication = "avatar-communication";
    public const string ConsentManagement = "consent-management";
    public const string SecurityIncidentManagement = "security-incident-management";

    public static IReadOnlyList<string> All { get; } =
    [
        SbiAccessControl, DataChannelServiceProvision, DataChannelExposure, ThirdPartyIdentityAssurance,
        AvatarCommunication, ConsentManagement, SecurityIncidentManagement,
    ];
}
