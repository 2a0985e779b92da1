using System.Text.Json;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Simulation;

namespace Ngrtc.Audit.UnitTests;

public class SimulatedTrafficTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<IncomingEvent> Run(SimulatedTraffic traffic, int events)
    {
        var result = CloudEventReader.Read(CloudEventContentTypes.Batch, traffic.NextBatch(Now, events));
        result.BodyError.ShouldBeNull();
        result.Items.Where(i => !i.IsValid).SelectMany(i => i.Errors).ShouldBeEmpty();
        return [.. result.Items.Select(i => i.Event!)];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(2026)]
    public void every_event_of_a_2000_event_run_is_valid_and_every_catalogue_type_appears(int seed)
    {
        var traffic = new SimulatedTraffic(seed);

        var events = Run(traffic, CloudEventReader.MaxBatchSize).Concat(Run(traffic, CloudEventReader.MaxBatchSize)).ToList();

        events.Count.ShouldBe(2000);
        events.Select(e => e.Envelope.Type).Distinct().ShouldBe(AuditCatalogue.All.Select(d => d.Type), ignoreOrder: true);
    }

    [Fact]
    public void the_seed_decides_the_traffic()
    {
        new SimulatedTraffic(7, tenants: 3).NextBatch(Now, 300).ShouldBe(new SimulatedTraffic(7, tenants: 3).NextBatch(Now, 300));
        new SimulatedTraffic(7).NextBatch(Now, 50).ShouldNotBe(new SimulatedTraffic(8).NextBatch(Now, 50));
    }

    [Fact]
    public void k_tenants_named_operator_1_to_k_all_appear()
    {
        var traffic = new SimulatedTraffic(3, tenants: 4);

        var events = Run(traffic, 1000);

        traffic.Tenants.ShouldBe(["operator-1", "operator-2", "operator-3", "operator-4"]);
        events.Select(e => e.Envelope.Tenant).Distinct().ShouldBe(traffic.Tenants, ignoreOrder: true);
    }

    [Fact]
    public void the_demo_sends_for_the_demo_operator()
    {
        var events = Run(new SimulatedTraffic(3, [SimulatedTraffic.DemoTenant]), 200);

        events.Select(e => e.Envelope.Tenant).Distinct().ShouldBe(["demo-operator"]);
    }

    [Fact]
    public void ids_are_unique_per_source()
    {
        var events = Run(new SimulatedTraffic(11, tenants: 2), 1000);

        events.Select(e => (e.Envelope.Source, e.Envelope.Id)).Distinct().Count().ShouldBe(events.Count);
    }

    [Fact]
    public void the_events_of_one_call_or_request_share_their_correlation_id()
    {
        var events = Run(new SimulatedTraffic(5), 1000);
        IEnumerable<string?> Correlations(string type) => events.Where(e => e.Envelope.Type == type).Select(e => e.Envelope.CorrelationId);

        // PASSporT origid: the signed call is verified and presented under the same id.
        var signed = Correlations("ngrtc.identity.signed.v1").ToList();
        signed.ShouldAllBe(id => id != null);
        signed.ShouldBeSubsetOf(Correlations("ngrtc.identity.verified.v1"));
        signed.ShouldBeSubsetOf(Correlations("ngrtc.identity.asserted.v1"));
        // NEF correlation id: every IMS AS decision answers a NEF request.
        Correlations("ngrtc.exposure.session-management-decided.v1").ShouldBeSubsetOf(Correlations("ngrtc.exposure.session-management-requested.v1"));
        // ICID: media instructions and app lists belong to a notified session.
        Correlations("ngrtc.dc.media-instruction-issued.v1").ShouldBeSubsetOf(Correlations("ngrtc.ims.session-event-notified.v1"));
        Correlations("ngrtc.dc.app-list-served.v1").ShouldBeSubsetOf(Correlations("ngrtc.ims.session-event-notified.v1"));
    }

    [Fact]
    public void disclosures_refer_to_subscriptions_created_before_them()
    {
        var created = new HashSet<string>();
        foreach (var e in Run(new SimulatedTraffic(9), 1000))
        {
            if (e.Envelope.Type == "ngrtc.exposure.subscription-changed.v1" && e.Data.GetProperty("change").GetString() == "created")
            {
                created.Add(e.Data.GetProperty("subscriptionId").GetString()!);
            }
            else if (e.Envelope.Type == "ngrtc.exposure.disclosed.v1")
            {
                created.ShouldContain(e.Data.GetProperty("subscriptionId").GetString()!);
            }
        }
    }

    [Fact]
    public void identities_are_fictitious()
    {
        foreach (var e in Run(new SimulatedTraffic(13, tenants: 2), 1000))
        {
            foreach (var field in e.Descriptor.PersonalFields)
            {
                if (!e.Data.TryGetProperty(field.JsonName, out var value))
                {
                    continue;
                }

                var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!) : [value.GetString()!];
                values.ShouldAllBe(v => v.Contains("+4915550") || v.Contains("example.org") || v.StartsWith("avatar-"));
            }
        }
    }
}
