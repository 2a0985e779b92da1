using System.Text.Json.Nodes;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>
/// The suite's policy: the shipped EU default (ops/policy/eu-default.v1.json) under its own version, with a consent
/// grace window short enough for a test to watch it end.
/// </summary>
public static class SuitePolicy
{
    public const string Version = "suite.v1";
    public const int GraceSeconds = 4;

    public static string DefaultFile
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ngrtc.Audit.sln")))
                {
                    return Path.Combine(dir.FullName, "ops", "policy", "eu-default.v1.json");
                }
            }

            throw new InvalidOperationException("Ngrtc.Audit.sln not found above the test binaries.");
        }
    }

    /// <summary>The default policy with <paramref name="version"/> and the suite's grace window, as JSON text.</summary>
    public static string Json(string version = Version)
    {
        var policy = JsonNode.Parse(File.ReadAllText(DefaultFile))!.AsObject();
        policy["version"] = version;
        policy["consent"]!["graceSeconds"] = GraceSeconds;
        // One tenant of the suite is German: its regulator (ServiceFixture.Jurisdiction) reads its exports.
        var jurisdictions = policy["jurisdictions"]!.AsObject();
        jurisdictions[ServiceFixture.Jurisdiction] = jurisdictions[policy["defaultJurisdiction"]!.GetValue<string>()]!.DeepClone();
        policy["tenants"] = new JsonObject { [ServiceFixture.JurisdictionTenant] = ServiceFixture.Jurisdiction };
        return policy.ToJsonString();
    }

    /// <summary>Writes the suite's policy file (in a folder of its own under the temporary folder) and returns its path.</summary>
    public static string Write()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ngrtc-audit-tests", "policy-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, Version + ".json");
        File.WriteAllText(path, Json());
        return path;
    }
}
