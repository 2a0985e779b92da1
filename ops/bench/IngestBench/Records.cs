using System.Text.Json;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Demo;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Protection;

namespace Ngrtc.Audit.Bench;

/// <summary>
/// The events the baselines store: DemoTraffic CloudEvents, read by the service's own CloudEventReader
/// (outside the timed part) and turned into the AuditEventRecorded the service would append.
/// </summary>
public static class Records
{
    public static List<AuditEventRecorded> Generate(int seed, long count, Pseudonymizer pseudonymizer)
    {
        var traffic = new DemoTraffic(seed);
        var records = new List<AuditEventRecorded>(checked((int)count));
        var now = DateTimeOffset.UtcNow;
        while (records.Count < count)
        {
            var size = (int)Math.Min(CloudEventReader.MaxBatchSize, count - records.Count);
            var read = CloudEventReader.Read(CloudEventContentTypes.Batch, traffic.NextBatch(now, size));
            if (read.BodyError is not null || read.Items.Any(i => !i.IsValid))
            {
                throw new InvalidOperationException("DemoTraffic produced an event the reader refuses");
            }

            records.AddRange(read.Items.Select(i => Record(i.Event!, pseudonymizer)));
        }

        return records;
    }

    // A copy of AuditAppender.Record (private there): the envelope, the data, a keyed pseudonym per
    // personal field, the retention class.
    private static AuditEventRecorded Record(IncomingEvent e, Pseudonymizer pseudonymizer)
    {
        var pseudonyms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in e.Descriptor.PersonalFields)
        {
            if (e.Data.TryGetProperty(field.JsonName, out var value) && value.ValueKind == JsonValueKind.String)
            {
                pseudonyms[field.JsonName] = pseudonymizer.Pseudonymize(e.Envelope.Tenant, value.GetString()!);
            }
        }

        return new AuditEventRecorded(e.Envelope, e.Data, pseudonyms, e.Descriptor.Retention);
    }
}
