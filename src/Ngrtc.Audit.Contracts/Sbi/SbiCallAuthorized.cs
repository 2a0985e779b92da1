using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Sbi;

/// <summary>WT3: a producer NF let a service-based interface call through (TS 33.501 13.4.1).</summary>
[Description("A producer NF authorised a service-based interface call of an NG-RTC service: token and mTLS peer checked (TS 33.501 13.4.1, TS 29.510).")]
[AuditEventType(Type, RetentionClass.S, ProcessingActivities.SbiAccessControl, Emitter = "the producer NF: IMS AS, DCSF, MF or NEF")]
[RetentionWhenPersonalData(RetentionClass.A)]
public sealed record SbiCallAuthorized(
    [property: Description("The producer's NF service that was called.")]
    [property: AllowedValues("Nimsas_SessionEventControl", "Nimsas_MediaControl", "Nimsas_ImsSessionManagement", "Nnef_ImsSessionManagement", "Nimsas_ImsEE", "Nmf_MRM")]
    string Service,
    [property: Description("The service operation, e.g. Subscribe or UpdateCallSession.")]
    string Operation,
    [property: Description("NF instance id (TS 29.510) of the consumer that called.")]
    string ConsumerNfInstanceId,
    [property: Description("Whether the request carried an OAuth 2.0 access token.")]
    bool TokenPresent,
    [property: Description("The HTTP status code the producer answered.")]
    int HttpStatus,
    [property: Description("The token's sub claim or client id: the consumer NF instance the NRF issued it to.")]
    string? TokenSubject = null,
    [property: Description("The scopes the token granted.")]
    IReadOnlyList<string>? TokenScopes = null,
    [property: Description("SHA-256 (hex) of the access token; links to ngrtc.nrf.token-issued.v1. Never the token.")]
    string? TokenHash = null,
    [property: Description("The token's exp claim.")]
    DateTimeOffset? TokenExpiry = null,
    [property: Description("The mTLS peer's certificate identity (SAN or SHA-256 fingerprint) of an NF, not of a person.")]
    string? MtlsPeer = null,
    [property: Description("The subscriber the call concerns (IMPU or GPSI), if any.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Target)]
    string? Target = null) : IAuditEventData
{
    public const string Type = "ngrtc.sbi.call-authorized.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:EnforceAccessControl",
        "legal-obligation",
        new SbiCallAuthorized(
            "Nimsas_MediaControl",
            "UpdateCallSession",
            "8f0c2f6e-4b1a-4c55-9d0e-3a7f5b2c9e11",
            true,
            200,
            TokenSubject: "8f0c2f6e-4b1a-4c55-9d0e-3a7f5b2c9e11",
            TokenScopes: ["nimsas-mc"],
            TokenHash: "3b1f9c0d7a52e4b8c6d2f0a1e9b7c5d3a1f8e6d4c2b0a9f7e5d3c1b9a7f5e3d1",
            TokenExpiry: new DateTimeOffset(2026, 11, 28, 11, 15, 0, TimeSpan.Zero),
            MtlsPeer: "dcsf-eu1-07.dcsf.5gc.example.org",
            Target: "sip:+491555001234@ims.example.org"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
