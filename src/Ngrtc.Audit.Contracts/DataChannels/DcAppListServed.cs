using System.ComponentModel;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.DataChannels;

/// <summary>WT3: the DCSF or MF served a subscriber the list of DC applications over the bootstrap data channel (MDC1).</summary>
[Description("The DCSF or MF served a subscriber the list of data channel applications on the bootstrap data channel (MDC1, TS 23.228 Annex AC).")]
[AuditEventType(Type, RetentionClass.T0, ProcessingActivities.DataChannelServiceProvision, Emitter = "DCSF or MF (MDC1)")]
public sealed record DcAppListServed(
    [property: Description("The ids of the DC applications offered.")]
    IReadOnlyList<string> ApplicationIds,
    [property: Description("The subscriber (IMPU) the list was served to.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.User)]
    string Subscriber,
    [property: Description("The bootstrap data channel's SCTP stream id.")]
    int? StreamId = null,
    [property: Description("The IMS session id, when the list was served within a session.")]
    string? SessionId = null) : IAuditEventData
{
    public const string Type = "ngrtc.dc.app-list-served.v1";

    public static AuditEventExample Example => new(
        "DCSF",
        "dcsf-eu1-07",
        "dpv:ServiceProvision",
        "contract",
        new DcAppListServed(
            ["dcas-remote-assist", "dcas-screen-share", "dcas-avatar-studio"],
            "sip:+491555001234@ims.example.org",
            StreamId: 0,
            SessionId: "sess-5f2a9c31"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
