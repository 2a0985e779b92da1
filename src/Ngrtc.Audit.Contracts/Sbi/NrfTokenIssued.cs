using System.ComponentModel;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.Sbi;

/// <summary>WT3: the NRF issued an OAuth 2.0 access token to a consumer NF (TS 29.510, TS 33.501 13.4.1).</summary>
[Description("The NRF issued an OAuth 2.0 access token to a consumer NF (TS 29.510 Nnrf_AccessToken, TS 33.501 13.4.1); the token itself is never recorded.")]
[AuditEventType(Type, RetentionClass.S, ProcessingActivities.SbiAccessControl, Emitter = "NRF")]
public sealed record NrfTokenIssued(
    [property: Description("The token's iss claim: the NRF instance id.")]
    string Issuer,
    [property: Description("The token's sub claim: the consumer NF instance id.")]
    string ConsumerNfInstanceId,
    [property: Description("The token's aud claim: producer NF instance ids or NF types.")]
    IReadOnlyList<string> Audience,
    [property: Description("The token's scope claim: the NF services granted.")]
    IReadOnlyList<string> Scopes,
    [property: Description("The token's exp claim.")]
    DateTimeOffset Expiry,
    [property: Description("SHA-256 (hex) of the issued token, to link the calls made with it. Never the token.")]
    string TokenHash,
    [property: Description("The consumer's PLMN (MCC-MNC) when it is another operator's NF.")]
    string? ConsumerPlmn = null) : IAuditEventData
{
    public const string Type = "ngrtc.nrf.token-issued.v1";

    public static AuditEventExample Example => new(
        "NRF",
        "nrf-eu1-01",
        "dpv:EnforceAccessControl",
        "legal-obligation",
        new NrfTokenIssued(
            "c4e7a1f0-2b93-4d68-8e15-7f0a9c3b6d24",
            "8f0c2f6e-4b1a-4c55-9d0e-3a7f5b2c9e11",
            ["IMSAS"],
            ["nimsas-mc"],
            new DateTimeOffset(2026, 11, 28, 11, 15, 0, TimeSpan.Zero),
            "3b1f9c0d7a52e4b8c6d2f0a1e9b7c5d3a1f8e6d4c2b0a9f7e5d3c1b9a7f5e3d1",
            ConsumerPlmn: "262-01"));
}
