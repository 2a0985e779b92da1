using System.Globalization;
using System.Net;
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

    public static WebApplication MapJobs(this WebApplication app)
    {
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new LocalDevelopmentOnly(app.Environment.IsDevelopment())],
            DisplayStorageConnectionString = false,
        });

        var group = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
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

    /// <summary>The dashboard without login only for a local browser in Development; the admin role guards it later.</summary>
    private sealed class LocalDevelopmentOnly(bool isDevelopment) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var remote = context.GetHttpContext().Connection.RemoteIpAddress;
            return isDevelopment && remote is not null && IPAddress.IsLoopback(remote);
        }
    }
}
