using JasperFx;
using Ngrtc.Audit.Service.AccessLog;
using Ngrtc.Audit.Service.Catalogue;
using Ngrtc.Audit.Service.Consent;
using Ngrtc.Audit.Service.DataSubjects;
using Ngrtc.Audit.Service.Demo;
using Ngrtc.Audit.Service.Exports;
using Ngrtc.Audit.Service.Exposure;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using Ngrtc.Audit.Service.Integrity;
using Ngrtc.Audit.Service.LegalHolds;
using Ngrtc.Audit.Service.Policy;
using Ngrtc.Audit.Service.Registers;
using Ngrtc.Audit.Service.Retention;
using Ngrtc.Audit.Service.Ropa;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Secure by default: loopback only unless ASPNETCORE_URLS / --urls say otherwise.
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

builder.AddLogRedaction();
builder.Services.AddProblemDetails();
builder.AddAccessControl();
builder.AddApiDocs();
builder.AddAuditStore();
builder.AddPolicy();
builder.AddBus();
builder.AddJobs();
builder.AddIntegrity();
builder.AddHealth();
DemoEmitter.AddDemo(builder);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseAccessAudit();

// Every API slice maps under this group: reads by persons are recorded before their answer goes out.
var api = app.MapApi();
api.MapIngestion();
api.MapExposure();
api.MapCatalogue();
api.MapIntegrity();
api.MapAccessLog();
api.MapExports();
api.MapSubjects();
api.MapPolicy();
api.MapConsent();
api.MapViolations();
api.MapRopa();
api.MapRegisters();
api.MapLegalHolds();
api.MapRetentionSchedule();
app.MapJobs(api);
app.MapHealth();
app.MapApiDocs();

// With no arguments this runs the service; otherwise it is the command-line tool (ops/ngrtc-audit).
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the integration tests' host.</summary>
public partial class Program;
