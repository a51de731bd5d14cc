using Modular.Webhooks.Delivery;
using Modular.Webhooks.Domain;

namespace Modular.Webhooks.Tests;

public sealed class RetryScheduleTests
{
    [Fact]
    public void Svix_schedule_then_nothing()
    {
        TimeSpan[] expected =
        [
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
            TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
        ];
        Assert.Equal(expected, Enumerable.Range(1, 7).Select(n => RetrySchedule.NextDelay(n, false, null, 1.0)!.Value));
        Assert.Null(RetrySchedule.NextDelay(8, false, null, 1.0));
        Assert.Equal(8, RetrySchedule.MaxAttempts);
    }

    [Fact]
    public void Jitter_stays_within_twenty_percent()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(RetrySchedule.RandomJitter(), 0.8, 1.2);
        }

        Assert.Equal(TimeSpan.FromSeconds(4), RetrySchedule.NextDelay(1, false, null, 0.8));
        Assert.Equal(TimeSpan.FromSeconds(6), RetrySchedule.NextDelay(1, false, null, 1.2));
    }

    [Fact]
    public void After_a_timeout_or_429_the_next_delay_is_at_least_a_minute()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), RetrySchedule.NextDelay(1, overloaded: true, null, 1.0));
        Assert.Equal(TimeSpan.FromMinutes(5), RetrySchedule.NextDelay(2, overloaded: true, null, 1.0));
    }

    [Fact]
    public void Retry_after_is_honoured_between_one_and_two_times_the_scheduled_delay()
    {
        Assert.Equal(TimeSpan.FromSeconds(8), RetrySchedule.NextDelay(1, false, TimeSpan.FromSeconds(8), 1.0));
        Assert.Equal(TimeSpan.FromSeconds(10), RetrySchedule.NextDelay(1, false, TimeSpan.FromHours(1), 1.0));
        Assert.Equal(TimeSpan.FromSeconds(5), RetrySchedule.NextDelay(1, false, TimeSpan.FromSeconds(1), 1.0));
    }

    [Fact]
    public void An_endpoint_is_disabled_after_failing_for_the_limit_and_one_success_resets_the_clock()
    {
        var start = DateTimeOffset.UnixEpoch;
        var endpoint = WebhookEndpoint.Create(Guid.NewGuid(), "https://example.com", null, null, null, null, "x", start);
        var limit = TimeSpan.FromDays(5);
        Assert.False(endpoint.RecordFailure(start, limit));
        Assert.False(endpoint.RecordFailure(start.AddDays(4), limit));
        endpoint.RecordSuccess();
        Assert.False(endpoint.RecordFailure(start.AddDays(5), limit)); // the run starts again
        Assert.False(endpoint.RecordFailure(start.AddDays(9), limit));
        Assert.True(endpoint.RecordFailure(start.AddDays(10), limit));
    }
}
