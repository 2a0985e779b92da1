namespace Ngrtc.Audit.Contracts;

/// <summary>
/// What an emitter puts on the bus: one CloudEvent (structured JSON mode) or a batch of them,
/// exactly as it would POST them over HTTP. The service parses and validates <see cref="Body"/>;
/// a message that fails is dead-lettered with the reason.
/// </summary>
/// <param name="ContentType"><see cref="CloudEventContentTypes.Single"/> or <see cref="CloudEventContentTypes.Batch"/>.</param>
/// <param name="Body">The CloudEvent JSON object, or a JSON array of them for a batch.</param>
public sealed record AuditEventMessage(string ContentType, string Body)
{
    public static AuditEventMessage Single(string cloudEventJson) => new(CloudEventContentTypes.Single, cloudEventJson);

    public static AuditEventMessage Batch(string cloudEventsJsonArray) => new(CloudEventContentTypes.Batch, cloudEventsJsonArray);
}

public static class CloudEventContentTypes
{
    public const string Single = "application/cloudevents+json";
    public const string Batch = "application/cloudevents-batch+json";
}
