mock_provider "aws" {
  source = "../../tests/mocks"
}

run "apply" {
  command = apply
}
