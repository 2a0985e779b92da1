using JasperFx;
using Ngrtc.Audit.Service.Catalogue;
using Ngrtc.Audit.Service.Consent;
using Ngrtc.Audit.Service.Demo;
using Ngrtc.Audit.Service.Exposure;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Integrity;
using Ngrtc.Audit.Service.Policy;
using Ngrtc.Audit.Service.Ropa;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Secure by default: loopback only unless ASPNETCORE_URLS / --urls say otherwise.
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

builder.AddLogRedaction();
builder.Services.AddProblemDetails();
builder.AddAuditStore();
builder.AddPolicy();
builder.AddPlaceholderAccessPolicies(); // REPLACE AT MERGE: the authentication branch registers the real policies.
builder.AddBus();
builder.AddJobs();
builder.AddIntegrity();
builder.AddHealth();
DemoEmitter.AddDemo(builder);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapIngestion();
app.MapExposure();
app.MapCatalogue();
app.MapJobs();
app.MapIntegrity();
app.MapPolicy();
app.MapConsent();
app.MapViolations();
app.MapRopa();
app.MapHealth();

// With no arguments this runs the service; otherwise it is the command-line tool (ops/ngrtc-audit).
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
