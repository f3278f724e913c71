"""Tutorial 000, section 5: one SGD step on ``nn.Linear(2, 1)`` with ``MSELoss``.

Run: ``python examples/tutorials/optimizer_step.py``.  For a prediction
p = w . [2, 3] + b and target 1, the loss is (p - 1)^2, its gradient is
2 (p - 1) [2, 3] for w and 2 (p - 1) for b, and one step with lr = 0.01
subtracts 0.01 times that.
"""

import srcxform as torch
import srcxform.optim as optim


def main() -> dict:
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)  # 2 inputs, 1 output
    before = (model.weight.detach().clone(), model.bias.detach().clone())
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    y_pred = model(torch.tensor([[2.0, 3.0]]))
    y_true = torch.tensor([[1.0]])
    loss = loss_fn(y_pred, y_true)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print("prediction:", y_pred)
    print("loss:", loss)
    print("weight after one step:", model.weight)
    print("bias after one step:", model.bias)
    return {"before": before, "prediction": y_pred.item(), "loss": loss.item(),
            "weight": model.weight.detach().clone(), "bias": model.bias.detach().clone()}


if __name__ == "__main__":
    main()
