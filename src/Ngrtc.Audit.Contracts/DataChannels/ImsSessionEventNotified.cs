using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.Contracts.DataChannels;

/// <summary>WT3: the IMS AS notified the DCSF of a session event (TS 29.175 Nimsas_SessionEventControl).</summary>
[Description("The IMS AS notified the DCSF of an IMS session event (TS 29.175 Nimsas_SessionEventControl, TS 23.228 Annex AC): transit traffic data of a call.")]
[AuditEventType(Type, RetentionClass.T0, ProcessingActivities.DataChannelServiceProvision, Emitter = "IMS AS (Nimsas_SessionEventControl notification to the DCSF)")]
public sealed record ImsSessionEventNotified(
    [property: Description("The IMS session id the IMS AS assigned.")]
    string SessionId,
    [property: Description("The notified event (TS 29.175 EventType).")]
    [property: AllowedValues(
        "SESSION_ESTABLISHMENT_REQUEST", "SESSION_ESTABLISHMENT_PROGRESS", "SESSION_ESTABLISHMENT_ALERTING",
        "SESSION_ESTABLISHMENT_SUCCESS", "SESSION_ESTABLISHMENT_FAILURE", "MEDIA_CHANGE_REQUEST",
        "MEDIA_CHANGE_SUCCESS", "MEDIA_CHANGE_FAILURE", "SESSION_TERMINATION")]
    string EventType,
    [property: Description("Who caused the event (TS 29.175 EventInitiator).")]
    [property: AllowedValues("SERVED_IMS_SUBSCRIBER", "REMOTE_IMS_SUBSCRIBER")]
    string? EventInitiator = null,
    [property: Description("Whether the IMS AS serves the originating or terminating side (TS 29.175 SessionCase).")]
    [property: AllowedValues("ORIGINATING_IMS_SESSION", "TERMINATING_IMS_SESSION")]
    string? SessionCase = null,
    [property: Description("The media types of the session's media (TS 29.175 MediaType).")]
    [property: AllowedItems("DC", "AUDIO", "VIDEO")]
    IReadOnlyList<string>? MediaTypes = null,
    [property: Description("How many data channel streams the session's DC media describe.")]
    int? DcStreamCount = null,
    [property: Description("The calling party's IMPU.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Caller)]
    string? CallingIdentity = null,
    [property: Description("The called party's IMPU.")]
    [property: PersonalData(PersonalDataCategories.Impu, PersonRole.Callee)]
    string? CalledIdentity = null) : IAuditEventData
{
    public const string Type = "ngrtc.ims.session-event-notified.v1";

    public static AuditEventExample Example => new(
        "IMSAS",
        "imsas-eu1-02",
        "dpv:ServiceProvision",
        "contract",
        new ImsSessionEventNotified(
            "sess-5f2a9c31",
            "SESSION_ESTABLISHMENT_REQUEST",
            EventInitiator: "SERVED_IMS_SUBSCRIBER",
            SessionCase: "ORIGINATING_IMS_SESSION",
            MediaTypes: ["AUDIO", "DC"],
            DcStreamCount: 2,
            CallingIdentity: "sip:+491555001234@ims.example.org",
            CalledIdentity: "tel:+491555005678"))
    {
        CorrelationId = "icid-7c1e4a90",
    };
}
