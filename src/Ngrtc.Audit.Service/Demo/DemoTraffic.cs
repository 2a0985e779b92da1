using System.Text.Json;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts.Avatars;
using Ngrtc.Audit.Contracts.Consent;
using Ngrtc.Audit.Contracts.Exposure;
using Ngrtc.Audit.Contracts.Identity;

namespace Ngrtc.Audit.Service.Demo;

/// <summary>
/// Reproducible simulated NG-RTC audit traffic: consents, exposure disclosures to a few DC AS
/// applications, identity verifications and avatar authorisation checks. Pure: the seed decides all.
/// The numbers are fictitious (+4915550…, a range reserved for drama use).
/// </summary>
public sealed class DemoTraffic(int seed, string tenant = "demo-operator", int subscribers = 50)
{
    private static readonly string[] Recipients = ["dcas-ar-navigator", "dcas-screen-share", "dcas-avatar-studio"];
    private static readonly string[] DisclosureTypes = ["BOOTSTRAP_DC_ESTABLISHED", "APP_DC_ESTABLISHED", "APP_DC_RELEASED", "APP_DC_INTERWORKING"];
    private static readonly string[] Categories = ["session-event", "dc-stream-info", "media-info", "location-cell"];
    private static readonly string[] VerifyResults = ["valid", "valid", "valid", "valid", "stale", "invalid-signature", "delegate-scope-error"];

    private readonly Random _random = new(seed);
    private long _counter;

    public string Tenant => tenant;

    public string NextEvent(DateTimeOffset now) => Next(now).ToJsonString();

    public string NextBatch(DateTimeOffset now, int size) =>
        new JsonArray([.. Enumerable.Range(0, size).Select(_ => (JsonNode)Next(now))]).ToJsonString();

    private JsonObject Next(DateTimeOffset now) => _random.Next(4) switch
    {
        0 => Envelope(ConsentGiven.Type, "CONSENT", "consent-svc-1", "dpv:ServiceProvision", "consent", now, Data(new ConsentGiven(
            "dpv:ServiceProvision", "notice-2026-09", "app", Subscriber(), Recipient()))),
        1 => Envelope(ExposureDisclosed.Type, "IMSAS", "imsas-eu1-02", "dpv:ServiceProvision", "consent", now, Data(new ExposureDisclosed(
            $"sub-{_random.Next(1000):D4}",
            Pick(DisclosureTypes),
            Recipient(),
            [.. Categories.Where(_ => _random.Next(2) == 0).DefaultIfEmpty(Categories[0])],
            Subscriber()))),
        2 => Envelope(IdentityVerified.Type, "IBCF", "ibcf-eu1-01", "dpv:FraudPreventionAndDetection", "legal-obligation", now, Data(new IdentityVerified(
            Hash(), Pick(VerifyResults), Subscriber(), Subscriber(), IatAgeSeconds: _random.Next(0, 90)))),
        _ => Envelope(AvatarAuthorizationChecked.Type, "DCAS", "dcas-eu1-03", "dpv:ServiceProvision", "contract", now, Data(new AvatarAuthorizationChecked(
            _random.Next(6) == 0 ? "denied" : "authorized", Subscriber(), $"avatar-{_random.Next(200):D3}"))),
    };

    private JsonObject Envelope(string type, string nfType, string instance, string purpose, string legalBasis, DateTimeOffset now, JsonNode data) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = $"demo-{seed}-{++_counter}",
        ["source"] = $"urn:ngrtc:nf:{nfType}:{instance}",
        ["type"] = type,
        ["time"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        ["datacontenttype"] = "application/json",
        ["tenant"] = tenant,
        ["nftype"] = nfType,
        ["correlationid"] = $"icid-{_random.Next(100_000):D6}",
        ["purpose"] = purpose,
        ["legalbasis"] = legalBasis,
        ["data"] = data,
    };

    private static JsonNode Data<T>(T contract) =>
        JsonSerializer.SerializeToNode(contract, new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        })!;

    private string Subscriber() => $"tel:+4915550{_random.Next(subscribers):D4}";

    private string Recipient() => Pick(Recipients);

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private string Hash() => Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(_random.NextInt64()));
}
