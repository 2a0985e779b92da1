using System.Globalization;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Ngrtc.Audit.Service.Exports;
using Ngrtc.Audit.Service.Retention;

namespace Ngrtc.Audit.Service.Hosting;

public sealed class JobOptions
{
    public const string Section = "Ngrtc:Jobs";

    /// <summary>How often idle Hangfire workers look for new jobs (Hangfire's default is 15 s).</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int WorkerCount { get; set; } = 2;
}

public sealed record JobEnqueued(string JobId, string Job);

/// <summary>Hangfire on PostgreSQL: recurring retention and export jobs, on-demand triggers, the dashboard.</summary>
public static class Jobs
{
    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder)
    {
        var connectionString = AuditStore.ConnectionString(builder);
        var jobs = builder.Configuration.GetSection(JobOptions.Section).Get<JobOptions>() ?? new JobOptions();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section);
        builder.Services.AddOptions<ExportOptions>().BindConfiguration(ExportOptions.Section);
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = jobs.QueuePollInterval,
                }));
        builder.Services.AddHangfireServer(options => options.WorkerCount = jobs.WorkerCount);
        builder.Services.AddHostedService<RecurringJobsRegistration>();
        builder.Services.AddTransient<RetentionJob>();
        builder.Services.AddTransient<ExportJob>();
        builder.Services.AddTransient<Integrity.VerificationJob>();
        return builder;
    }

    /// <summary>The cookie that carries an admin's bearer token to the dashboard (browsers send no Authorization header there).</summary>
    public const string DashboardCookie = "ngrtc_dashboard";

    public const string DashboardPath = "/hangfire";

    /// <summary>The dashboard on <paramref name="app"/> (admin only), the job triggers on the API group.</summary>
    public static WebApplication MapJobs(this WebApplication app, IEndpointRouteBuilder api)
    {
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [new AdminOnly()],
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(AccessPolicies.Admin);

        // An admin's browser gets the dashboard through a cookie holding its own token (from /docs, say):
        // HttpOnly, SameSite=Strict, only for the dashboard's path, gone when the token expires.
        api.MapPost("/api/v1/admin/dashboard-session", (HttpContext context) =>
            {
                var token = context.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
                var expires = context.User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, out var seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : DateTimeOffset.UtcNow.AddMinutes(15);
                context.Response.Cookies.Append(DashboardCookie, token, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = context.Request.IsHttps,
                    Path = DashboardPath,
                    Expires = expires,
                });
                return Results.NoContent();
            })
            .RequireAuthorization(AccessPolicies.Admin)
            .WithTags("Jobs")
            .WithSummary("Let this browser open the Hangfire dashboard (/hangfire) with the caller's admin token (a cookie)");

        var group = api.MapGroup("/api/v1/jobs").WithTags("Jobs").RequireAuthorization(AccessPolicies.Admin);
        group.MapPost("/retention", (IBackgroundJobClient client) =>
                Results.Accepted(value: new JobEnqueued(client.Enqueue<RetentionJob>(j => j.Run()), RetentionJob.RecurringId)))
            .WithSummary("Run the retention sweep now");
        group.MapPost("/export", (string? period, IBackgroundJobClient client) =>
            {
                if (period is not null && !DateOnly.TryParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    return Problems.InvalidParameter("period", "must be a date yyyy-MM-dd (UTC day)");
                }

                return Results.Accepted(value: new JobEnqueued(client.Enqueue<ExportJob>(j => j.Run(period)), ExportJob.RecurringId));
            })
            .WithSummary("Export a period now (default: yesterday, UTC)");
        group.MapPost("/verify", (IBackgroundJobClient client) =>
                Results.Accepted(value: new JobEnqueued(client.Enqueue<Integrity.VerificationJob>(j => j.Run()), Integrity.VerificationJob.RecurringId)))
            .WithSummary("Run the full integrity verification now");
        return app;
    }

    private sealed class RecurringJobsRegistration(
        IRecurringJobManager recurring,
        Microsoft.Extensions.Options.IOptions<RetentionOptions> retention,
        Microsoft.Extensions.Options.IOptions<ExportOptions> export,
        Microsoft.Extensions.Options.IOptions<Integrity.SealerOptions> integrity) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurring.AddOrUpdate<RetentionJob>(RetentionJob.RecurringId, j => j.Run(), retention.Value.Schedule);
            recurring.AddOrUpdate<ExportJob>(ExportJob.RecurringId, j => j.Run(null), export.Value.Schedule);
            recurring.AddOrUpdate<Integrity.VerificationJob>(
                Integrity.VerificationJob.RecurringId, j => j.Run(), integrity.Value.VerifySchedule);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Belt and braces behind the endpoint's admin policy: Hangfire itself also asks for the role.</summary>
    private sealed class AdminOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }
}
