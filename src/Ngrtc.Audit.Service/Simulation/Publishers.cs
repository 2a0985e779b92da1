using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JasperFx.CodeGeneration;
using Microsoft.Extensions.Hosting;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Hosting;
using Ngrtc.Audit.Service.Ingestion;
using RabbitMQ.Client;
using Wolverine;
using Wolverine.Postgresql;

namespace Ngrtc.Audit.Service.Simulation;

/// <summary>Sends CloudEvents bodies the way an emitter would over one transport.</summary>
public interface IAuditPublisher : IAsyncDisposable
{
    Task PublishAsync(AuditEventMessage message, CancellationToken ct);
}

public static class AuditPublishers
{
    public static async Task<IAuditPublisher> CreateAsync(string transport, SimulationTargets targets, CancellationToken ct) => transport switch
    {
        "pg" or "postgresql" => await PostgresQueuePublisher.StartAsync(targets, ct),
        "rabbitmq" => await RabbitMqPublisher.StartAsync(targets, ct),
        "http" => new HttpPublisher(targets.ServiceUrl, targets.Tokens),
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "Transport must be pg, rabbitmq or http."),
    };
}

/// <summary>Where the simulator sends: the service's PostgreSQL queue, RabbitMQ exchange, or HTTP endpoint.</summary>
public sealed record SimulationTargets(string PostgresConnection, string PostgresQueue, Uri RabbitMq, string RabbitMqExchange, Uri ServiceUrl)
{
    /// <summary>Bearer tokens for HTTP, one per NF instance; without them the service refuses HTTP ingestion (401).</summary>
    public EmitterTokens? Tokens { get; init; }

    /// <summary>The service's own settings: the same connection strings and bus names it listens on.</summary>
    public static SimulationTargets From(IConfiguration configuration, Uri serviceUrl)
    {
        var bus = configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        return new SimulationTargets(
            configuration.GetConnectionString(AuditStore.ConnectionStringName) ?? "",
            bus.Queue,
            new Uri(configuration.GetConnectionString(Bus.RabbitMqConnectionName) ?? "amqp://guest:guest@127.0.0.1:5672"),
            bus.RabbitMq.Exchange,
            serviceUrl)
        {
            Tokens = EmitterTokens.From(configuration),
        };
    }
}

/// <summary>
/// A Wolverine emitter: a node without handlers or listeners whose durable outbox moves each message
/// into the service's PostgreSQL queue table.
/// </summary>
internal sealed class PostgresQueuePublisher(IHost host) : IAuditPublisher
{
    public static async Task<IAuditPublisher> StartAsync(SimulationTargets targets, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(PostgresQueuePublisher).Assembly;
            opts.Discovery.DisableConventionalDiscovery();
            opts.UseRuntimeCompilation();
            opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Dynamic;
            // The service owns these tables: an emitter neither creates nor alters them.
            opts.AutoBuildMessageStorageOnStartup = JasperFx.AutoCreate.None;
            opts.Durability.DeadLetterQueueExpirationEnabled = true;
            opts.UsePostgresqlPersistenceAndTransport(targets.PostgresConnection, Bus.EnvelopeSchema, transportSchema: Bus.QueueSchema);
            opts.PublishMessage<AuditEventMessage>().ToPostgresqlQueue(targets.PostgresQueue);
        });
        var host = builder.Build();
        await host.StartAsync(ct);
        return new PostgresQueuePublisher(host);
    }

    public async Task PublishAsync(AuditEventMessage message, CancellationToken ct)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}

/// <summary>A non-.NET-style emitter: a plain AMQP client, CloudEvents JSON as the body, the content type as the only header.</summary>
internal sealed class RabbitMqPublisher(IConnection connection, string exchange) : IAuditPublisher
{
    private readonly ThreadLocal<Task<IChannel>> _channels = new(() => connection.CreateChannelAsync(), trackAllValues: true);

    public static async Task<IAuditPublisher> StartAsync(SimulationTargets targets, CancellationToken ct)
    {
        var connection = await new ConnectionFactory { Uri = targets.RabbitMq }.CreateConnectionAsync(ct);
        return new RabbitMqPublisher(connection, targets.RabbitMqExchange);
    }

    public async Task PublishAsync(AuditEventMessage message, CancellationToken ct)
    {
        var channel = await _channels.Value!;
        var properties = new BasicProperties { ContentType = message.ContentType, DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync(exchange, "", mandatory: false, properties, Encoding.UTF8.GetBytes(message.Body), ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            await (await channel).DisposeAsync();
        }

        _channels.Dispose();
        await connection.DisposeAsync();
    }
}

/// <summary>
/// Posts as the emitters of the events would: each NF instance (source) of each tenant with its own token, so a
/// simulated batch that mixes instances goes out as one request per instance (side by side).
/// </summary>
internal sealed class HttpPublisher(Uri serviceUrl, EmitterTokens? tokens) : IAuditPublisher
{
    private readonly HttpClient _client = new() { BaseAddress = serviceUrl };

    public async Task PublishAsync(AuditEventMessage message, CancellationToken ct)
    {
        if (tokens is null)
        {
            await PostAsync(message.ContentType, message.Body, null, ct);
            return;
        }

        using var document = JsonDocument.Parse(message.Body);
        var events = document.RootElement.ValueKind == JsonValueKind.Array ? [.. document.RootElement.EnumerateArray()] : new[] { document.RootElement };
        var groups = events.GroupBy(e => (Tenant: e.GetProperty("tenant").GetString()!, Source: e.GetProperty("source").GetString()!)).ToList();
        if (groups.Count == 1)
        {
            await PostAsync(message.ContentType, message.Body, tokens.For(groups[0].Key.Tenant, groups[0].Key.Source), ct);
            return;
        }

        await Task.WhenAll(groups.Select(g => PostAsync(
            CloudEventContentTypes.Batch, "[" + string.Join(',', g.Select(e => e.GetRawText())) + "]", tokens.For(g.Key.Tenant, g.Key.Source), ct)));
    }

    private async Task PostAsync(string contentType, string body, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _client.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
