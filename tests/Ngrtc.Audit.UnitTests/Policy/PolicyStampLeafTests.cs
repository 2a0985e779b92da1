using System.Text;
using System.Text.Json;
using Ngrtc.Audit.Service.Integrity;

namespace Ngrtc.Audit.UnitTests.Policy;

/// <summary>The policy stamp is a member of the leaf (LEAF.md) when the record has one, and leaves older leaves as they were.</summary>
public class PolicyStampLeafTests
{
    private const string Stored = """
        {"envelope":{"id":"e-1","source":"s","type":"ngrtc.identity.verified.v1","time":"2026-11-28T10:15:00+00:00","tenant":"op-1","nfType":"IBCF","purpose":"p","legalBasis":"contract","correlationId":null},
         "data":{"result":"stale"},"pseudonyms":{},"protected":{},"retention":"A"POLICY}
        """;

    private static string Leaf(string policy) =>
        Encoding.UTF8.GetString(Leaves.Document(JsonDocument.Parse(Stored.Replace("POLICY", policy)).RootElement));

    [Fact]
    public void a_stamped_record_has_the_policy_member_and_an_unstamped_one_has_none()
    {
        Leaf(",\"policyVersion\":\"eu-default.v1\"").ShouldEndWith(",\"policy\":\"eu-default.v1\"}");
        Leaf("").ShouldNotContain("policy");
        Leaf(",\"policyVersion\":null").ShouldNotContain("\"policy\"");
    }

    [Fact]
    public void changing_the_stamp_changes_the_leaf_hash()
    {
        var stored = Stored.Replace("POLICY", ",\"policyVersion\":\"v1\"");
        Leaves.Hash(stored).ShouldNotBe(Leaves.Hash(stored.Replace("\"v1\"", "\"v2\"")));
    }
}
