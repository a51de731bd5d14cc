namespace Modular.Features.Tests;
