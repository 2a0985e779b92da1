using System.Text;
using Ngrtc.Audit.Contracts;
using Wolverine;
using Wolverine.Runtime.Serialization;

namespace Ngrtc.Audit.Service.Ingestion;

/// <summary>
/// Reads an AMQP message whose body is CloudEvents JSON — one event or a batch, as its content type
/// says — into an <see cref="AuditEventMessage"/>, so emitters need no Wolverine headers or envelope.
/// The body is kept as text and validated by the handler, which dead-letters it with the reason.
/// </summary>
public sealed class RawCloudEventSerializer(string contentType) : IMessageSerializer
{
    public string ContentType { get; } = contentType;

    /// <summary>
    /// One of the CloudEvents content types as its bare media type (lower case, no parameters); any other
    /// content type as it came, for the handler to refuse by name.
    /// </summary>
    public static string? MediaTypeOf(string? contentType)
    {
        var media = CloudEventReader.MediaType(contentType);
        return media is CloudEventContentTypes.Single or CloudEventContentTypes.Batch ? media : contentType;
    }

    public byte[] Write(Envelope envelope) => WriteMessage(envelope.Message!);

    public object ReadFromData(Type messageType, Envelope envelope) => Read(envelope.Data ?? []);

    public object ReadFromData(byte[] data) => Read(data);

    public byte[] WriteMessage(object message) => message is AuditEventMessage m
        ? Encoding.UTF8.GetBytes(m.Body)
        : throw new NotSupportedException($"Only {nameof(AuditEventMessage)} travels as raw CloudEvents.");

    // Invalid UTF-8 becomes U+FFFD and then fails JSON validation with a reason, rather than failing here.
    private AuditEventMessage Read(byte[] data) => new(ContentType, Encoding.UTF8.GetString(data));
}
