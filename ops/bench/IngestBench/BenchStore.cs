using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.Bench;

/// <summary>The benchmarks' way to the service's own store, without running the service.</summary>
internal static class BenchStore
{
    public const string DefaultKey = "YmVuY2gtb25seS1rZWstb2YtMzItYnl0ZXMhISEhISE="; // "bench-only-kek-of-32-bytes!!!!!!"

    /// <summary>
    /// The service's own Marten configuration (AuditStore.AddAuditStore) on a host that is never started: its
    /// IDocumentStore, serializer and FieldProtector, with a bench-only KEK.
    /// </summary>
    public static WebApplication Host(string connection, string key)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Audit"] = connection,
            ["Ngrtc:Database:ApplySchemaOnStartup"] = "true",
            ["Ngrtc:Protection:Keks:Tenants:*:Current"] = "bench",
            ["Ngrtc:Protection:Keks:Tenants:*:Keys:bench"] = key,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddAuditStore();
        return builder.Build();
    }
}
