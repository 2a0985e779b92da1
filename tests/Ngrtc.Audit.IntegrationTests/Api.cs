using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts;
using Npgsql;

namespace Ngrtc.Audit.IntegrationTests;

/// <summary>What the tests say to the service, in the words of its API.</summary>
internal static class Api
{
    public static Task<HttpResponseMessage> PostEvent(this HttpClient client, JsonNode e) =>
        client.PostRaw(CloudEventContentTypes.Single, e.ToJsonString());

    public static Task<HttpResponseMessage> PostBatch(this HttpClient client, params JsonNode[] events) =>
        client.PostRaw(CloudEventContentTypes.Batch, new JsonArray([.. events.Select(e => e.DeepClone())]).ToJsonString());

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string contentType, string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync("/api/v1/events", content);
    }

    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<long> StoredEventCount(string tenant)
    {
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var command = database.CreateCommand(
            "select count(*) from ngrtc.mt_events where tenant_id = $1 and type = 'audit_event_recorded'");
        command.Parameters.AddWithValue(tenant);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<string?> StoredData(string tenant, string eventId)
    {
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var command = database.CreateCommand(
            "select data::text from ngrtc.mt_events where tenant_id = $1 and data->'envelope'->>'id' = $2");
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(eventId);
        return (string?)await command.ExecuteScalarAsync();
    }

    public static async Task<IReadOnlyList<string>> DeadLetterReasons()
    {
        await using var database = NpgsqlDataSource.Create(ServiceFixture.ConnectionString);
        await using var command = database.CreateCommand("select exception_message from wolverine.wolverine_dead_letters");
        await using var reader = await command.ExecuteReaderAsync();
        var reasons = new List<string>();
        while (await reader.ReadAsync())
        {
            reasons.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }

        return reasons;
    }
}
