using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Protection;
using Ngrtc.Audit.Service.Simulation;

namespace Ngrtc.Audit.Bench;

/// <summary>
/// The events the baselines store: SimulatedTraffic CloudEvents, read by the service's own CloudEventReader
/// (outside the timed part) and protected into the AuditEventRecorded the service would append.
/// </summary>
public static class Records
{
    public static async Task<List<AuditEventRecorded>> Generate(int seed, long count, FieldProtector protector)
    {
        var traffic = new SimulatedTraffic(seed);
        var records = new List<AuditEventRecorded>(checked((int)count));
        var now = DateTimeOffset.UtcNow;
        while (records.Count < count)
        {
            var size = (int)Math.Min(CloudEventReader.MaxBatchSize, count - records.Count);
            var read = CloudEventReader.Read(CloudEventContentTypes.Batch, traffic.NextBatch(now, size));
            if (read.BodyError is not null || read.Items.Any(i => !i.IsValid))
            {
                throw new InvalidOperationException("SimulatedTraffic produced an event the reader refuses");
            }

            records.AddRange(await EventProtection.RecordAsync([.. read.Items.Select(i => i.Event!)], protector, CancellationToken.None));
        }

        return records;
    }
}
