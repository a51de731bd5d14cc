using Modular.Webhooks.Delivery;
using StandardWebhooks;

namespace Modular.Webhooks.Tests;

public sealed class SigningTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Body = """{"test": 2432232314}""";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    [Fact]
    public void The_standard_webhooks_test_vector_holds() =>
        Assert.Equal(Expected, WebhookSignature.Sign(Secret, Id, Timestamp, Body));

    [Fact]
    public void An_independent_implementation_agrees_on_the_test_vector() =>
        Assert.Equal(Expected, new StandardWebhook(Secret).Sign(Id, DateTimeOffset.FromUnixTimeSeconds(Timestamp), Body));

    [Fact]
    public void Two_secrets_give_two_space_separated_signatures()
    {
        var other = WebhookSignature.NewSecret();
        var header = WebhookSignature.Header([Secret, other], Id, Timestamp, Body);
        Assert.Equal([Expected, WebhookSignature.Sign(other, Id, Timestamp, Body)], header.Split(' '));
    }

    [Fact]
    public void A_new_secret_is_whsec_and_32_random_bytes()
    {
        var secret = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookSignature.NewSecret());
    }
}
