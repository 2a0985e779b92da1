using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.DataChannels;

/// <summary>WT3: the DCSF instructed the IMS AS how to handle one media flow (TS 29.175 Nimsas_MediaControl).</summary>
[Description("The DCSF instructed the IMS AS how to handle one media flow of a session (TS 29.175 Nimsas_MediaControl); it names no person: the session links it.")]
[AuditEventType(Type, RetentionClass.T0, ProcessingActivities.DataChannelServiceProvision, Emitter = "DCSF (Nimsas_MediaControl request to the IMS AS)")]
public sealed record DcMediaInstructionIssued(
    [property: Description("The IMS session id the instruction applies to.")]
    string SessionId,
    [property: Description("The media flow's id within the session.")]
    string MediaId,
    [property: Description("The kind of media resource (TS 29.571 MediaResourceType).")]
    [property: AllowedValues("DC", "AR", "AUDIO", "VIDEO")]
    string MediaResourceType,
    [property: Description("The instruction (TS 29.175 MediaInstruction).")]
    [property: AllowedValues("TERMINATE_MEDIA", "ORIGINATE_MEDIA", "TERMINATE_AND_ORIGINATE_MEDIA", "UPDATE_MEDIA", "DELETE_MEDIA", "REJECT_MEDIA")]
    string Instruction,
    [property: Description("The DC application the flow carries, for an application data channel.")]
    string? DcApplicationId = null,
    [property: Description("The DC AS endpoint on MDC2 (host and port of an application server, not of a person).")]
    string? Mdc2Endpoint = null,
    [property: Description("SHA-256 (hex) of the replacement HTTP URLs handed over; never the URLs.")]
    string? ReplaceUrlHash = null) : IAuditEventData
{
    public const string Type = "ngrtc.dc.media-instruction-issued.v1";

    public static AuditEventExample Example => new(
        "DCSF",
        "dcsf-eu1-07",
        "dpv:ServiceProvision",
        "contract",
        new DcMediaInstructionIssued(
            "sess-5f2a9c31",
            "media-3",
            "DC",
            "TERMINATE_AND_ORIGINATE_MEDIA",
            DcApplicationId: "dcas-remote-assist",
            Mdc2Endpoint: "dcas-remote-assist.apps.example.org:443",
            ReplaceUrlHash: "5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
