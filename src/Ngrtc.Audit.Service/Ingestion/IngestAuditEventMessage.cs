using Ngrtc.Audit.Contracts;

namespace Ngrtc.Audit.Service.Ingestion;

/// <summary>The reasons a bus message was refused; Wolverine moves such a message to its dead letters with this text.</summary>
public sealed class AuditEventRejectedException(string reason) : Exception(reason);

/// <summary>Ingests CloudEvents arriving on the bus. A message is all-or-nothing: if any event in it is
/// invalid, nothing of it is stored and the whole message is dead-lettered with every reason, so it can
/// be fixed and replayed without losing or splitting anything.</summary>
public static class IngestAuditEventMessageHandler
{
    public static async Task Handle(AuditEventMessage message, GroupCommit store, CancellationToken ct)
    {
        var read = CloudEventReader.Read(message.ContentType, message.Body);
        if (read.BodyError is { } bodyError)
        {
            throw new AuditEventRejectedException($"Message refused: {bodyError}");
        }

        var rejected = read.Items.Where(i => !i.IsValid).ToList();
        if (rejected.Count > 0)
        {
            var reasons = rejected.SelectMany(i => i.Errors).Select(e => e.ToString());
            throw new AuditEventRejectedException(
                $"Message refused: {rejected.Count} of {read.Items.Count} events invalid: {string.Join("; ", reasons)}");
        }

        await store.AppendAsync([.. read.Items.Select(i => i.Event!)], ct);
    }
}
