using System.Text.Json;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Domain;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Retention;

using Ngrtc.Audit.Tests;

namespace Ngrtc.Audit.UnitTests;

public class RetentionRedactionTests
{
    private static AuditEventRecorded Recorded()
    {
        var e = CloudEventReader.Read(CloudEventContentTypes.Single, Events.IdentityVerified().ToJsonString()).Items[0].Event!;
        var sealedValues = new Dictionary<string, ProtectedField> { ["orig"] = new("enc1.k1.c1", "d1"), ["dest"] = new("enc1.k2.c2", "d2") };
        return new AuditEventRecorded(e.Envelope, e.Data, new Dictionary<string, string> { ["orig"] = "p1", ["dest"] = "p2" }, sealedValues, RetentionClass.A);
    }

    [Fact]
    public void blanking_removes_every_personal_value_and_keeps_the_rest()
    {
        var at = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var (redacted, blanked) = RetentionRedaction.Blank(Recorded(), at);

        blanked.ShouldBe(2);
        redacted.RedactedAt.ShouldBe(at);
        redacted.Data.GetProperty("orig").ValueKind.ShouldBe(JsonValueKind.Null);
        redacted.Data.GetProperty("dest").ValueKind.ShouldBe(JsonValueKind.Null);
        redacted.Data.GetProperty("passportHash").GetString().ShouldBe("ab12");
        redacted.Data.GetProperty("iatAgeSeconds").GetInt32().ShouldBe(75);
        redacted.Envelope.ShouldBe(Recorded().Envelope);
        redacted.Data.GetRawText().ShouldNotContain("1555000001");
        redacted.Protected.Values.ShouldAllBe(p => p.Ciphertext == null);
        redacted.Protected["orig"].Digest.ShouldBe("d1");
        redacted.Pseudonyms["dest"].ShouldBe("p2");
    }

    [Fact]
    public void blanking_twice_blanks_nothing_more()
    {
        var (once, _) = RetentionRedaction.Blank(Recorded(), DateTimeOffset.UnixEpoch);

        RetentionRedaction.Blank(once, DateTimeOffset.UnixEpoch).FieldsBlanked.ShouldBe(0);
    }
}
