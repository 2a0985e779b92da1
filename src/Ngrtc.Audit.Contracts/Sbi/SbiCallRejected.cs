using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Sbi;

/// <summary>WT3: a producer NF refused a service-based interface call (TS 33.501 13.4.1).</summary>
[Description("A producer NF refused a service-based interface call of an NG-RTC service: no or bad token, too few scopes, or the wrong mTLS peer (TS 33.501 13.4.1).")]
[AuditEventType(Type, RetentionClass.S, ProcessingActivities.SbiAccessControl, Emitter = "the producer NF: IMS AS, DCSF, MF or NEF")]
[RetentionWhenPersonalData(RetentionClass.A)]
public sealed record SbiCallRejected(
    [property: Description("The producer's NF service that was called.")]
    [property: AllowedValues("Nimsas_SessionEventControl", "Nimsas_MediaControl", "Nimsas_ImsSessionManagement", "Nnef_ImsSessionManagement", "Nimsas_ImsEE", "Nmf_MRM")]
    string Service,
    [property: Description("The service operation, e.g. Subscribe or UpdateCallSession.")]
    string Operation,
    [property: Description("NF instance id (TS 29.510) of the consumer that called, as far as it is known.")]
    string ConsumerNfInstanceId,
    [property: Description("Whether the request carried an OAuth 2.0 access token.")]
    bool TokenPresent,
    [property: Description("The HTTP status code the producer answered, e.g. 401 or 403.")]
    int HttpStatus,
    [property: Description("Why the call was refused.")]
    [property: AllowedValues("token-missing", "token-invalid", "token-expired", "insufficient-scope", "audience-mismatch", "mtls-peer-mismatch", "consumer-not-allowed")]
    string Cause,
    [property: Description("The token's sub claim or client id, when a token was presented and readable.")]
    string? TokenSubject = null,
    [property: Description("The scopes the token granted.")]
    IReadOnlyList<string>? TokenScopes = null,
    [property: Description("SHA-256 (hex) of the access token; links to ngrtc.nrf.token-issued.v1. Never the token.")]
    string? TokenHash = null,
    [property: Description("The token's exp claim.")]
    DateTimeOffset? TokenExpiry = null,
    [property: Description("The mTLS peer's certificate identity (SAN or SHA-256 fingerprint) of an NF, not of a person.")]
    string? MtlsPeer = null,
    [property: Description("The subscriber the call concerned (IMPU or GPSI), if any.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Target)]
    string? Target = null) : IAuditEventData
{
    public const string Type = "ngrtc.sbi.call-rejected.v1";

    public static AuditEventExample Example => new(
        "NEF",
        "nef-eu1-01",
        "dpv:EnforceAccessControl",
        "legal-obligation",
        new SbiCallRejected(
            "Nnef_ImsSessionManagement",
            "Create",
            "2d7a9b14-60c3-4e8f-a5b2-91c4d7e3f608",
            true,
            403,
            "insufficient-scope",
            TokenSubject: "2d7a9b14-60c3-4e8f-a5b2-91c4d7e3f608",
            TokenScopes: ["nnef-ee"],
            TokenHash: "9e4d2c0b8a6f4e2d0c9b7a5f3e1d9c7b5a3f1e9d7c5b3a1f9e7d5c3b1a9f7e5d",
            MtlsPeer: "dcas-remote-assist.apps.example.org"))
    {
        CorrelationId = "nef-corr-51a0",
    };
}
