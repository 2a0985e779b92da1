using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Tests;

/// <summary>Valid CloudEvents to start from; each test breaks one thing. Shared by the unit and integration tests.</summary>
internal static class Events
{
    /// <summary>The catalogue's documented example of <paramref name="type"/>, with its own id and tenant.</summary>
    public static JsonObject Example(string type, string id = "x-1", string tenant = "op-1")
    {
        var e = AuditCatalogue.Get(type).Example.ToCloudEvent();
        e["id"] = id;
        e["tenant"] = tenant;
        return e;
    }

    public static JsonObject ExposureDisclosed(string id = "e-1", string tenant = "op-1", string recipient = "dcas-app-1", string subject = "tel:+491555000001", string time = "2026-11-28T10:15:00Z") => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "urn:ngrtc:nf:IMSAS:imsas-eu1-02",
        ["type"] = "ngrtc.exposure.disclosed.v1",
        ["time"] = time,
        ["datacontenttype"] = "application/json",
        ["tenant"] = tenant,
        ["nftype"] = "IMSAS",
        ["correlationid"] = "icid-1",
        ["purpose"] = "dpv:ServiceProvision",
        ["legalbasis"] = "consent",
        ["data"] = new JsonObject
        {
            ["subscriptionId"] = "sub-1",
            ["eventType"] = "APP_DC_ESTABLISHED",
            ["recipient"] = recipient,
            ["dataCategories"] = new JsonArray("session-event", "media-info"),
            ["subject"] = subject,
        },
    };

    public static JsonObject IdentityVerified(string id = "v-1", string tenant = "op-1", string time = "2026-11-28T10:15:00+01:00") => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "urn:ngrtc:nf:IBCF:ibcf-1",
        ["type"] = "ngrtc.identity.verified.v1",
        ["time"] = time,
        ["tenant"] = tenant,
        ["nftype"] = "IBCF",
        ["purpose"] = "dpv:FraudPreventionAndDetection",
        ["legalbasis"] = "legal-obligation",
        ["data"] = new JsonObject
        {
            ["passportHash"] = "ab12",
            ["result"] = "stale",
            ["orig"] = "tel:+491555000001",
            ["dest"] = "tel:+491555000002",
            ["iatAgeSeconds"] = 75,
        },
    };
}
